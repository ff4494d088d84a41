export const RATE = 0.2;

export function withTax(cents: number): number {
  return Math.round(cents * (1 + RATE));
}
