// Password hashing: argon2id with OWASP's minimum profile (m=19456 KiB = 19 MiB, t=2 iterations, p=1 lane).
// The parameters are stored in each PHC hash string, so raising them later still verifies old hashes.
import argon2 from 'argon2';

const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, options);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// A hash of a random password, verified against when the username is unknown so both answers take as long.
let dummy: Promise<string> | null = null;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`));
