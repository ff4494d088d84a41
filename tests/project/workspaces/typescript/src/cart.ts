import { formatPrice } from "./format";
import * as tax from "./tax.js";

export function receipt(cents: number): string {
  return formatPrice(tax.withTax(cents));
}
