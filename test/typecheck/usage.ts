// Compiled by `npm test` (tsconfig.generated.json) together with generated/: how a user's
// code meets the generated types. An @ts-expect-error that stops erroring fails tsc.
import type { PlainEvent, PlainEventMap, ThreadEmailSent } from "../../generated/plain/2024-09-18/types.js";
import { validateEvent, validatorFor, validateThreadEmailSent } from "../../generated/plain/2024-09-18/validators.js";
import type { AgentMailEventMap } from "../../generated/agentmail/2026-08-03/types.js";

export function subjectOf(payload: unknown): string | null | undefined {
  const result = validateEvent(payload);
  if (!result.ok) return undefined;
  if (result.name === "thread.email_sent") {
    // narrowed by the event name: the payload has an email
    return result.event.payload.email.subject;
  }
  // @ts-expect-error a chat event has no email
  if (result.name === "thread.chat_sent") return result.event.payload.email.subject;
  return null;
}

export function byValidator(payload: unknown): string | undefined {
  if (validateThreadEmailSent(payload)) {
    const email: ThreadEmailSent["payload"]["email"] = payload.payload.email;
    // @ts-expect-error a misspelt field is an error, not `unknown` (no index signature)
    const misspelt: unknown = payload.payload.emial;
    return misspelt === undefined ? email.from.email : undefined;
  }
  return undefined;
}

export function statuses(event: PlainEventMap["thread.chat_sent"]): "TODO" | "DONE" | "SNOOZED" | "UNKNOWN_THREAD_STATUS" {
  return event.payload.thread.status;
}

export function threadOf(event: PlainEvent): string | undefined {
  // @ts-expect-error not every Plain event carries a thread (customer events do not)
  const thread: unknown = event.payload.thread;
  return "thread" in event.payload ? event.payload.thread.id : thread === undefined ? undefined : "?";
}

export const chatValidator = validatorFor("thread.chat_sent");
export function chatText(payload: unknown): string | null | undefined {
  return chatValidator(payload) ? payload.payload.chat.text : undefined;
}

export type LabelsChange = PlainEventMap["thread.thread_labels_changed"]["payload"]["changeType"];
export const change: LabelsChange = "ADDED";
// @ts-expect-error not a change type
export const badChange: LabelsChange = "MOVED";

export type Spam = AgentMailEventMap["message.received.spam"];
export function spamSubject(event: Spam): string | null | undefined {
  // optional fields stay optional under exactOptionalPropertyTypes; AgentMail's export says subject may be null
  return event.message.subject;
}
