// What the platform's JSON scalar carries (relay.config.json maps the scalar to it).
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
