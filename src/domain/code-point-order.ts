/**
 * Compares two strings by Unicode code point, ascending: plain and locale-independent, so that
 * orders are the same on every machine (behaviour.md section 2.4). JavaScript's `<` compares
 * UTF-16 code units, which differs from code-point order above U+FFFF; this does not.
 */
export function compareCodePoints(a: string, b: string): number {
  let index = 0;
  while (index < a.length && index < b.length) {
    const left = a.codePointAt(index) ?? 0;
    const right = b.codePointAt(index) ?? 0;
    if (left !== right) return left < right ? -1 : 1;
    index += left > 0xffff ? 2 : 1;
  }
  return Math.sign(a.length - b.length);
}
