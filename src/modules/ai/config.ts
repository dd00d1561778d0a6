import { ConfigError, readInteger, readString, type Env } from "../../config";

export interface AiConfig {
  /** Without a key the service explains scores from their stored components and calls no provider. */
  apiKey: string | undefined;
  /** Base URL of the Anthropic Messages API; requests go to `${apiUrl}/v1/messages`. */
  apiUrl: string;
  model: string;
  /** Cap on the answer's length, in tokens. */
  maxTokens: number;
  timeoutMs: number;
  maxRetries: number;
  /** Prices used to count each call against an account's monthly budget, in USD per million tokens. */
  inputUsdPerMillionTokens: number;
  outputUsdPerMillionTokens: number;
}

/**
 * Reads ANTHROPIC_* and AI_*. The price defaults are Anthropic's list prices for Claude Haiku 4.5
 * ($1 input, $5 output per million tokens, from its model overview page); set AI_*_USD_PER_MTOK
 * with AI_MODEL when choosing another model.
 */
export function readAiConfig(env: Env): AiConfig {
  const apiUrl = readString(env, "ANTHROPIC_API_URL", "https://api.anthropic.com").replace(/\/+$/, "");
  try {
    const protocol = new URL(apiUrl).protocol;
    if (protocol !== "http:" && protocol !== "https:") throw new Error(protocol);
  } catch {
    throw new ConfigError("ANTHROPIC_API_URL", `expected an http or https URL such as https://api.anthropic.com, got "${apiUrl}"`);
  }

  return {
    apiKey: env.ANTHROPIC_API_KEY?.trim() || undefined,
    apiUrl,
    model: readString(env, "AI_MODEL", "claude-haiku-4-5"),
    maxTokens: readInteger(env, "AI_MAX_TOKENS", 400, 50, 4000),
    timeoutMs: readInteger(env, "AI_TIMEOUT_MS", 20_000, 100, 120_000),
    maxRetries: readInteger(env, "AI_MAX_RETRIES", 1, 0, 5),
    inputUsdPerMillionTokens: readPrice(env, "AI_INPUT_USD_PER_MTOK", 1),
    outputUsdPerMillionTokens: readPrice(env, "AI_OUTPUT_USD_PER_MTOK", 5),
  };
}

function readPrice(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;

  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value > 1000) {
    throw new ConfigError(name, `expected a price in USD from 0 to 1000 such as 1.25, got "${raw}"`);
  }
  return value;
}
