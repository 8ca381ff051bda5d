// tokens.ts is the end-user tokens screen's logic: the form of a tenant's JWT settings
// (a shared secret, a public key or a JWKS address) to and from what GET/PUT /auth
// take, problems placed by path, and verified claims rendered for people.

import type { AuthSettings } from "./api";

/** How tokens are verified: an HS256 secret, a PEM public key, or keys fetched from a JWKS URL. */
export type KeyKind = "secret" | "public_key" | "jwks";

/** The algorithms a public key may verify (the algorithm comes from the settings, never from a token). */
export const publicAlgorithms = ["RS256", "ES256", "EdDSA"] as const;

/** The settings form as typed. */
export interface TokenForm {
  kind: KeyKind;
  algorithm: string;
  /** Typed to set or replace the secret; empty keeps the one set (secretSet). */
  secret: string;
  secretSet: boolean;
  publicKey: string;
  jwksURL: string;
  issuer: string;
  audience: string;
  roleClaim: string;
  defaultRole: string;
  allowedRoles: string[];
}

/** fromSettings fills the form from GET /auth (null: not set up yet). */
export function fromSettings(s: AuthSettings | null): TokenForm {
  const j = s?.jwt ?? {};
  const kind: KeyKind = j.jwks_url ? "jwks" : j.public_key ? "public_key" : "secret";
  return {
    kind,
    algorithm: kind === "public_key" ? (j.algorithm ?? "RS256") : "RS256",
    secret: "",
    secretSet: !!j.secret_set,
    publicKey: j.public_key ?? "",
    jwksURL: j.jwks_url ?? "",
    issuer: j.issuer ?? "",
    audience: j.audience ?? "",
    roleClaim: j.role_claim ?? "",
    defaultRole: j.default_role ?? "",
    allowedRoles: [...(j.allowed_roles ?? [])],
  };
}

/** toSettings is the body of PUT /auth: only what the chosen kind takes, empty options left out. */
export function toSettings(f: TokenForm): AuthSettings {
  const jwt: AuthSettings["jwt"] = {};
  switch (f.kind) {
    case "secret":
      jwt.algorithm = "HS256";
      if (f.secret !== "") jwt.secret = f.secret;
      break;
    case "public_key":
      jwt.algorithm = f.algorithm;
      jwt.public_key = f.publicKey.trim() ? f.publicKey.trim() + "\n" : "";
      break;
    case "jwks":
      jwt.jwks_url = f.jwksURL.trim();
      break;
  }
  if (f.issuer.trim()) jwt.issuer = f.issuer.trim();
  if (f.audience.trim()) jwt.audience = f.audience.trim();
  if (f.roleClaim.trim()) jwt.role_claim = f.roleClaim.trim();
  if (f.defaultRole) jwt.default_role = f.defaultRole;
  if (f.allowedRoles.length) jwt.allowed_roles = [...f.allowedRoles];
  return { jwt };
}

/** The form's inputs, by the settings' JSON names. */
const inputs = new Set(["algorithm", "secret", "public_key", "jwks_url", "issuer", "audience", "role_claim", "default_role", "allowed_roles"]);

/** authSlot returns the input a problem at path belongs to ("jwt.secret" → "secret"), "" for the form. */
export function authSlot(path: string): string {
  const m = /^(?:jwt\.)?([a-z_]+)/.exec(path);
  return m && inputs.has(m[1]) ? m[1] : "";
}

// Claims that hold times, in seconds since 1970 (RFC 7519).
const times = new Set(["exp", "nbf", "iat", "auth_time"]);

/** claimText renders a claim's value: times as UTC dates beside the number, the rest as JSON. */
export function claimText(name: string, v: unknown): string {
  if (times.has(name) && typeof v === "number") return `${new Date(v * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")} (${v})`;
  return typeof v === "string" ? v : JSON.stringify(v);
}
