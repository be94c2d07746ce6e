// Apollo Client cache configuration for the Casework schema:
//   new InMemoryCache({ typePolicies, possibleTypes })
import type { FieldPolicy, PossibleTypesMap, TypePolicies } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

// The types that implement `Node`: their ids are unique across the whole API, so the cache
// keeps one entry per object whichever field or mutation answered it.
export const NODE_TYPES = [
  "Alert",
  "ApprovalInfo",
  "Case",
  "FlagInfo",
  "Incident",
  "NoteInfo",
  "TracingRequest",
  "TransitionInfo",
  "UserRef",
] as const;

// Fragments on `Node` (`node(id:) { ... on FlagInfo { reason } }`) match these types.
export const possibleTypes: PossibleTypesMap = { Node: [...NODE_TYPES] };

// A record already in the cache (from a list page or a mutation) answers its by-id field
// without a request.
function recordById(typename: "Case" | "Incident" | "TracingRequest"): FieldPolicy {
  return {
    read(existing, { args, toReference }) {
      return existing ?? toReference({ __typename: typename, id: args?.["id"] });
    },
  };
}

const byId = { keyFields: ["id"] };

export const typePolicies: TypePolicies = {
  Query: {
    fields: {
      // Connections: `first`/`after` pages are appended, `last`/`before` pages prepended.
      cases: relayStylePagination(),
      incidents: relayStylePagination(),
      tracingRequests: relayStylePagination(),
      alerts: { keyArgs: ["includeDismissed"] },
      case: recordById("Case"),
      incident: recordById("Incident"),
      tracingRequest: recordById("TracingRequest"),
    },
  },
  ...Object.fromEntries(NODE_TYPES.map((typename) => [typename, byId])),
  // Not nodes, but their ids are unique too: a family, the signed-in user, a user account.
  FamilyInfo: byId,
  Me: byId,
  UserInfo: byId,
  // Not nodes either, each id unique to its kind: files, devices, exports, sync conflicts.
  Attachment: byId,
  Device: byId,
  ExportJob: byId,
  SyncConflict: byId,
  // An option's id is unique only within its field ("yes" in many fields): part of its field.
  OptionMeta: { keyFields: false },
  // The export an access-log entry names: a summary beside the entry, not the job itself.
  AccessLogExport: { keyFields: false },
  // A pull's item and tombstone carry a record's id, but are that pull's answer, not the
  // record: the record inside an item is normalised under its own type.
  SyncItem: { keyFields: false },
  SyncTombstone: { keyFields: false },
};
