import { Elysia } from "elysia";
import { errorEnvelope, errorResponses } from "../../lib/http";
import { pickLocale } from "../../lib/messages";
import { authGuard } from "../admin/auth-guard";
import type { AuthService } from "../admin/auth-service";
import { explainBody, explainParams, explanationView, toExplanationView } from "./model";
import type { AiService } from "./service";

export interface AiRoutesDeps {
  auth: AuthService;
  ai: AiService;
}

/** AI explanations of scores, under /api/v1/ai; the per-user limit is applied by `expensiveLimits`. */
export function aiRoutes(deps: AiRoutesDeps) {
  return new Elysia({ prefix: "/api/v1/ai", tags: ["ai"] })
    .use(authGuard(deps.auth))
    .post(
      "/explain/:productId",
      async ({ auth, params, body, headers }) => {
        const explanation = await deps.ai.explain(auth, params.productId, body.language ?? pickLocale(headers["accept-language"]));
        return toExplanationView(explanation);
      },
      {
        params: explainParams,
        // A request without a body gets an empty one, so the language follows Accept-Language.
        transform: (context) => {
          context.body ??= {};
        },
        body: explainBody,
        response: { 200: explanationView, ...errorResponses, 403: errorEnvelope, 502: errorEnvelope },
        detail: {
          summary: "Explain in uz, ru or en why an analysed product scores as it does; cached per product and snapshot day",
          security: [{ bearer: [] }],
        },
      },
    );
}
