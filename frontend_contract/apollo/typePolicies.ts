// Apollo Client cache configuration for the Casework schema:
//   new InMemoryCache({ typePolicies, possibleTypes: {} })
import type { FieldPolicy, TypePolicies } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

// A record already in the cache (from a list page) answers its by-id field without a request.
function recordById(typename: "Case" | "Incident" | "TracingRequest"): FieldPolicy {
  return {
    read(existing, { args, toReference }) {
      return existing ?? toReference({ __typename: typename, id: args?.["id"] });
    },
  };
}

// Records and workflow objects have ids unique within their type: the cache normalises them.
const byId = { keyFields: ["id"] };

// Objects that are part of their parent, not entities: no id, or an id that is the record's.
const embedded = { keyFields: false as const };

export const typePolicies: TypePolicies = {
  Query: {
    fields: {
      // Connections: pages fetched with `first`/`after` are appended to one list.
      cases: relayStylePagination(),
      incidents: relayStylePagination(),
      tracingRequests: relayStylePagination(),
      alerts: { keyArgs: ["includeDismissed"] },
      case: recordById("Case"),
      incident: recordById("Incident"),
      tracingRequest: recordById("TracingRequest"),
    },
  },
  Case: byId,
  Incident: byId,
  TracingRequest: byId,
  Alert: byId,
  FlagInfo: byId,
  NoteInfo: byId,
  TransitionInfo: byId,
  FamilyInfo: byId,
  // Usernames are unique within a tenant, and a client talks to one tenant.
  UserRef: { keyFields: ["username"] },
  ApprovalInfo: embedded,
  // Views of a record that reuse its UUID as `id` (a status, a bulk outcome, an alert's
  // record): kept inside the answer that carries them rather than as entities of their own.
  RecordStatus: embedded,
  BulkResult: embedded,
  AlertRecord: embedded,
};
