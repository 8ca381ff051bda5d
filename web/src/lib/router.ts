// router.ts maps the browser's path to a screen and back. The server answers index.html
// for every path that is not a file, so these paths survive a reload.

/** Route is one screen and its parameters. */
export type Route =
  | { screen: "signin" }
  | { screen: "models" }
  | { screen: "editor"; model: string | null } // null: a new model
  | { screen: "data"; model: string }
  | { screen: "record"; model: string; id: string | null } // null: a new record
  | { screen: "history" }
  | { screen: "keys" }
  | { screen: "diagram" }
  | { screen: "roles" }
  | { screen: "role"; role: string | null } // null: a new role
  | { screen: "tokens" }
  | { screen: "notfound"; path: string };

const simple = new Set(["signin", "models", "history", "keys", "diagram", "roles", "tokens"]);

/** parseRoute reads a pathname. */
export function parseRoute(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { screen: "notfound", path: pathname };
  }
  if (parts.length === 0) return { screen: "models" };
  if (parts.length === 1 && simple.has(parts[0])) return { screen: parts[0] } as Route;
  if (parts.length === 1 && parts[0] === "new-model") return { screen: "editor", model: null };
  if (parts.length === 1 && parts[0] === "new-role") return { screen: "role", role: null };
  if (parts.length === 2 && parts[0] === "roles") return { screen: "role", role: parts[1] };
  if (parts.length === 2 && parts[0] === "models") return { screen: "editor", model: parts[1] };
  if (parts.length === 2 && parts[0] === "data") return { screen: "data", model: parts[1] };
  if (parts.length === 3 && parts[0] === "data") {
    return { screen: "record", model: parts[1], id: parts[2] === "new" ? null : parts[2] };
  }
  return { screen: "notfound", path: pathname };
}

/** href renders a route as a path. */
export function href(r: Route): string {
  switch (r.screen) {
    case "signin":
    case "models":
    case "history":
    case "keys":
    case "diagram":
    case "roles":
    case "tokens":
      return `/${r.screen}`;
    case "role":
      return r.role === null ? "/new-role" : `/roles/${encodeURIComponent(r.role)}`;
    case "editor":
      return r.model === null ? "/new-model" : `/models/${encodeURIComponent(r.model)}`;
    case "data":
      return `/data/${encodeURIComponent(r.model)}`;
    case "record":
      return `/data/${encodeURIComponent(r.model)}/${r.id === null ? "new" : encodeURIComponent(r.id)}`;
    case "notfound":
      return r.path;
  }
}
