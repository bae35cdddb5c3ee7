// The JWT key reaches workers as a Secrets Store binding (`{ get(): Promise<string> }`) on
// Cloudflare and in the local platform; tests may pass the plain string.

export type JwtSecretBinding = string | { get(): Promise<string> };

export async function readJwtSecret(binding: JwtSecretBinding | undefined): Promise<string> {
  if (binding === undefined) throw new Error("JWT_SECRET binding is missing");
  const secret = typeof binding === "string" ? binding : await binding.get();
  if (secret.length < 32) throw new Error("JWT_SECRET must be at least 32 characters");
  return secret;
}
