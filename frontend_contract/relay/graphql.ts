// Stands in for react-relay's `graphql` tag, so these documents need no React install.
export function graphql(strings: TemplateStringsArray): string {
  return strings.join("");
}
