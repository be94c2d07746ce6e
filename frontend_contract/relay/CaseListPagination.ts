import { graphql } from "./graphql";

// The case list as a paginated fragment on Query: Relay generates CaseListPaginationQuery and
// `usePaginationFragment` appends pages (`loadNext`) to the `CaseListPagination_cases`
// connection, or prepends them (`loadPrevious`) with `last`/`before`.
export const CaseListPaginationFragment = graphql`
  fragment CaseListPagination_query on Query
  @refetchable(queryName: "CaseListPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int", defaultValue: 20 }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    cases(first: $first, after: $after, last: $last, before: $before)
      @connection(key: "CaseListPagination_cases") {
      totalCount
      edges {
        node {
          id
          ...CaseSummary_case
        }
      }
    }
  }
`;
