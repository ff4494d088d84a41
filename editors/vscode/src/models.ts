/** The items of "Grok: Select Model": the models the key can use, then grok.modelAliases. */

export interface ModelPick {
  label: string;
  description?: string;
  /** What goes into grok.model: the model's or the alias's name. */
  value: string;
  source: "model" | "alias";
}

/**
 * `current` is the resolved model (the server's `grok.models`); `configured` what grok.model
 * says, possibly an alias. An alias whose target the key cannot use is still listed (marked),
 * since the server would report that clearly on the first request.
 */
export function modelPicks(
  models: readonly string[],
  current: string,
  aliases: Record<string, unknown> | undefined,
  configured?: string,
): ModelPick[] {
  const picks: ModelPick[] = models.map((model) => ({
    label: model,
    value: model,
    source: "model",
    description: model === current && (configured === undefined || configured === model) ? "current" : undefined,
  }));
  for (const [alias, target] of Object.entries(aliases ?? {})) {
    if (typeof target !== "string" || !alias.trim()) {
      continue;
    }
    const notes = [`alias → ${target}`];
    if (models.length && !models.includes(target)) {
      notes.push("not listed by the API");
    }
    if (configured === alias) {
      notes.push("current");
    }
    picks.push({ label: alias, value: alias, source: "alias", description: notes.join(" · ") });
  }
  return picks;
}
