import { describe, expect, it } from "vitest";
import { authSlot, claimText, fromSettings, toSettings } from "./tokens";

describe("token settings", () => {
  it("keeps the secret unless one is typed, and never reads it back", () => {
    const f = fromSettings({ jwt: { algorithm: "HS256", secret_set: true, issuer: "https://id.example", allowed_roles: ["read"] } });
    expect(f).toMatchObject({ kind: "secret", secret: "", secretSet: true, issuer: "https://id.example", allowedRoles: ["read"] });
    expect(toSettings(f)).toEqual({ jwt: { algorithm: "HS256", issuer: "https://id.example", allowed_roles: ["read"] } });
    f.secret = "s3cret";
    expect(toSettings(f).jwt.secret).toBe("s3cret");
  });

  it("sends only what the chosen kind takes", () => {
    const f = fromSettings(null);
    expect(f.kind).toBe("secret");
    f.kind = "public_key";
    f.algorithm = "EdDSA";
    f.publicKey = "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n\n";
    f.secret = "left over";
    f.roleClaim = " app_role ";
    f.defaultRole = "viewer";
    expect(toSettings(f)).toEqual({
      jwt: { algorithm: "EdDSA", public_key: "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n", role_claim: "app_role", default_role: "viewer" },
    });
    f.kind = "jwks";
    f.jwksURL = "https://id.example/.well-known/jwks.json";
    expect(toSettings(f).jwt).toEqual({ jwks_url: "https://id.example/.well-known/jwks.json", role_claim: "app_role", default_role: "viewer" });
    expect(fromSettings(toSettings(f)).kind).toBe("jwks");
  });

  it("places problems by input", () => {
    expect(authSlot("jwt.secret")).toBe("secret");
    expect(authSlot("jwt.allowed_roles[1]")).toBe("allowed_roles");
    expect(authSlot("jwt")).toBe("");
    expect(authSlot("public_key")).toBe("public_key");
    expect(authSlot("jwt.nope")).toBe("");
  });

  it("renders times as dates", () => {
    expect(claimText("exp", 1700000000)).toBe("2023-11-14 22:13:20 UTC (1700000000)");
    expect(claimText("sub", "user-1")).toBe("user-1");
    expect(claimText("groups", ["a"])).toBe('["a"]');
  });
});
