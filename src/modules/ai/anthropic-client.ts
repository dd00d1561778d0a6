import { UpstreamError } from "../../lib/errors";
import { HttpClient, HttpRequestError } from "../../lib/http-client";
import type { Logger } from "../../lib/logger";
import type { AiConfig } from "./config";

/** The version header the Messages API requires; this client reads that version's response shape. */
export const anthropicVersion = "2023-06-01";

export interface CompletionRequest {
  system: string;
  prompt: string;
}

export interface Completion {
  text: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

interface WireMessage {
  model?: unknown;
  content?: Array<{ type?: unknown; text?: unknown }>;
  usage?: { input_tokens?: unknown; output_tokens?: unknown };
}

/**
 * Calls the Anthropic Messages API (`POST /v1/messages`). Every failure, whether unreachable,
 * timed out, an error status or an unreadable response, becomes 502 AI_UNAVAILABLE with the reason in `details`.
 */
export class AnthropicClient {
  private readonly http: HttpClient;

  constructor(
    private readonly config: AiConfig & { apiKey: string },
    logger: Logger,
  ) {
    this.http = new HttpClient({
      name: "anthropic",
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      maxConcurrency: 4,
      logger,
    });
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const url = `${this.config.apiUrl}/v1/messages`;
    const answer = await this.http
      .request(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": this.config.apiKey,
          "anthropic-version": anthropicVersion,
        },
        body: JSON.stringify({
          model: this.config.model,
          max_tokens: this.config.maxTokens,
          system: request.system,
          messages: [{ role: "user", content: request.prompt }],
        }),
      })
      .catch((error: unknown) => {
        if (error instanceof HttpRequestError) throw unavailable({ reason: error.kind }, error.message);
        throw error;
      });

    if (answer.status !== 200) {
      throw unavailable({ reason: "status", status: answer.status }, `Anthropic responded ${answer.status}: ${answer.body.slice(0, 300)}`);
    }

    let message: WireMessage;
    try {
      message = JSON.parse(answer.body) as WireMessage;
    } catch {
      throw unavailable({ reason: "invalid_json" }, "Anthropic sent a body that is not JSON");
    }

    const text = (message.content ?? [])
      .filter((block) => block.type === "text" && typeof block.text === "string")
      .map((block) => block.text as string)
      .join("")
      .trim();
    if (!text) throw unavailable({ reason: "empty_answer" }, "Anthropic's response has no text block");

    return {
      text,
      model: typeof message.model === "string" ? message.model : this.config.model,
      inputTokens: tokenCount(message.usage?.input_tokens),
      outputTokens: tokenCount(message.usage?.output_tokens),
    };
  }
}

function tokenCount(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

function unavailable(details: Record<string, unknown>, message: string): UpstreamError {
  return new UpstreamError(502, "AI_UNAVAILABLE", "anthropic", details, message);
}
