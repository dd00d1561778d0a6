import { Elysia, t } from "elysia";
import { errorEnvelope, errorResponses } from "../../lib/http";
import type { Clock } from "../../lib/time";
import { authGuard } from "../admin/auth-guard";
import type { AuthService } from "../admin/auth-service";
import {
  createRuleBody,
  eventListView,
  eventsQuery,
  ruleIdParams,
  ruleListView,
  ruleView,
  settingsBody,
  settingsView,
  toEventView,
  toRuleView,
  toSettingsView,
  updateRuleBody,
} from "./model";
import { parseMinute } from "./quiet-hours";
import type { AlertService } from "./service";

const secured = { security: [{ bearer: [] }] };

/** Alert rules, fired events and quiet hours of the caller's account, under /api/v1/alerts. */
export function alertRoutes(deps: { auth: AuthService; alerts: AlertService; clock: Clock }) {
  const { alerts } = deps;

  return new Elysia({ prefix: "/api/v1/alerts", tags: ["alerts"] })
    .use(authGuard(deps.auth))
    .get("/rules", async ({ auth }) => ({ items: (await alerts.listRules(auth.accountId)).map(toRuleView) }), {
      response: { 200: ruleListView, ...errorResponses },
      detail: { summary: "This account's alert rules, oldest first", ...secured },
    })
    .post(
      "/rules",
      async ({ auth, body, set }) => {
        const rule = await alerts.createRule(auth.accountId, auth.userId, {
          type: body.type,
          threshold: body.threshold,
          productId: body.product_id,
          isEnabled: body.enabled,
        });
        set.status = 201;
        return toRuleView(rule);
      },
      {
        body: createRuleBody,
        response: { 201: ruleView, 409: errorEnvelope, ...errorResponses },
        detail: {
          summary: "Add an alert rule for one tracked product or for all of them",
          description:
            "Each rule fires once when its condition starts to hold on a refreshed snapshot, and again only after the " +
            "condition has cleared. 400 INVALID_ALERT_THRESHOLD names the threshold the type expects.",
          ...secured,
        },
      },
    )
    .get("/rules/:id", async ({ auth, params }) => toRuleView(await alerts.getRule(auth.accountId, params.id)), {
      params: ruleIdParams,
      response: { 200: ruleView, ...errorResponses },
      detail: { summary: "One alert rule", ...secured },
    })
    .patch(
      "/rules/:id",
      async ({ auth, params, body }) =>
        toRuleView(await alerts.updateRule(auth.accountId, params.id, { threshold: body.threshold, isEnabled: body.enabled })),
      {
        params: ruleIdParams,
        body: updateRuleBody,
        response: { 200: ruleView, ...errorResponses },
        detail: { summary: "Change a rule's threshold or switch it on or off", ...secured },
      },
    )
    .delete(
      "/rules/:id",
      async ({ auth, params, set }) => {
        await alerts.deleteRule(auth.accountId, params.id);
        set.status = 204;
      },
      {
        params: ruleIdParams,
        response: { 204: t.Void(), ...errorResponses },
        detail: { summary: "Delete a rule; its past events stay listed", ...secured },
      },
    )
    .get(
      "/events",
      async ({ auth, query }) => {
        const page = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
        const { total, items } = await alerts.listEvents(auth.accountId, { ...page, status: query.status });
        const now = deps.clock.now();
        return { total, ...page, items: items.map((item) => toEventView(item.event, item.title, now)) };
      },
      {
        query: eventsQuery,
        response: { 200: eventListView, ...errorResponses },
        detail: { summary: "This account's fired alerts, newest first, with their delivery status", ...secured },
      },
    )
    .get("/settings", async ({ auth }) => toSettingsView(await alerts.quietHours(auth.accountId)), {
      response: { 200: settingsView, ...errorResponses },
      detail: { summary: "Quiet hours of this account; alerts fired inside them arrive as one digest when they end", ...secured },
    })
    .put(
      "/settings",
      async ({ auth, body }) => {
        // The body schema already checked the HH:MM form, so both parse.
        const hours = { startMinute: parseMinute(body.quiet_hours_start)!, endMinute: parseMinute(body.quiet_hours_end)! };
        return toSettingsView(await alerts.setQuietHours(auth.accountId, hours));
      },
      {
        body: settingsBody,
        response: { 200: settingsView, ...errorResponses },
        detail: { summary: "Set the quiet hours in Tashkent time; equal start and end switch them off", ...secured },
      },
    );
}
