import { badRequest } from "../../lib/errors";

export const minPasswordLength = 10;

/**
 * Passwords that lead the public breach lists; a short list still stops the guesses an
 * attacker tries first. Compared case-insensitively.
 */
const commonPasswords = new Set([
  "1234567890", "12345678910", "123456789a", "1q2w3e4r5t", "1qaz2wsx3edc", "password1", "password12",
  "password123", "password1234", "qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456", "1234qwer",
  "iloveyou123", "abcdefghij", "abc1234567", "letmein123", "welcome123", "admin12345", "administrator",
  "passw0rd123", "p@ssw0rd123", "football123", "baseball123", "princess123", "sunshine123", "dragon1234",
  "superman123", "trustno1234", "0987654321", "1111111111", "0000000000", "123123123123", "asdfghjkl1",
  "zxcvbnm123", "changeme123", "ventra12345", "uzummarket", "uzum123456", "toshkent123", "tashkent123",
  "parol12345", "parol123456", "пароль12345", "йцукенгшщз",
]);

/**
 * Rejects a password that is short, common, one repeated character, or the email itself (400 WEAK_PASSWORD).
 * `details.reason_codes` names each rule broken for clients to translate; `details.reasons` gives the same in English.
 */
export function assertStrongPassword(password: string, email?: string): void {
  const lowered = password.toLowerCase();
  const broken: Array<{ code: string; reason: string }> = [];

  if ([...password].length < minPasswordLength) broken.push({ code: "too_short", reason: `shorter than ${minPasswordLength} characters` });
  if (commonPasswords.has(lowered)) broken.push({ code: "common", reason: "a common password" });
  if (/^(.)\1+$/u.test(password)) broken.push({ code: "repeated_character", reason: "one repeated character" });
  if (email && lowered.includes(email.toLowerCase().split("@")[0]) && email.split("@")[0].length >= 4) {
    broken.push({ code: "contains_email_name", reason: "contains the email name" });
  }

  if (broken.length > 0) {
    throw badRequest("WEAK_PASSWORD", {
      reason_codes: broken.map((rule) => rule.code),
      reasons: broken.map((rule) => rule.reason),
      min_length: minPasswordLength,
    });
  }
}

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

/** Verifies Argon2id hashes and the bcrypt hashes of the previous system. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash).catch(() => false);
}

/** Whether a stored hash should be replaced by an Argon2id one at the next successful login. */
export function needsRehash(hash: string): boolean {
  return !hash.startsWith("$argon2id$");
}
