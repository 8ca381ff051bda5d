// router.ts maps the browser's path to a screen and back. The server answers index.html
// for every path that is not a file, so these paths survive a reload.

/** Route is one screen and its parameters. */
export type Route =
  | { screen: "signin" }
  | { screen: "models" }
  | { screen: "editor"; model: string | null } // null: a new model
  | { screen: "notfound"; path: string };

/** parseRoute reads a pathname. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { screen: "models" };
  if (parts.length === 1 && parts[0] === "signin") return { screen: "signin" };
  if (parts.length === 1 && parts[0] === "models") return { screen: "models" };
  if (parts.length === 1 && parts[0] === "new-model") return { screen: "editor", model: null };
  if (parts.length === 2 && parts[0] === "models") return { screen: "editor", model: parts[1] };
  return { screen: "notfound", path: pathname };
}

/** href renders a route as a path. */
export function href(r: Route): string {
  switch (r.screen) {
    case "signin":
      return "/signin";
    case "models":
      return "/models";
    case "editor":
      return r.model === null ? "/new-model" : `/models/${encodeURIComponent(r.model)}`;
    case "notfound":
      return r.path;
  }
}
