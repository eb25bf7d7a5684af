// The signing helpers as a consumer's strict test code sees them (tsconfig.generated.json:
// strict, exactOptionalPropertyTypes, no @types/node). An @ts-expect-error that stops erroring fails tsc.
import {
  createAgentMailTestRequest,
  createAgentMailWebhookHandler,
  signAgentMailWebhook,
  verifyAgentMailWebhook,
  type SignedWebhook,
  type SignWebhookOptions,
} from "../../generated/agentmail/index.js";
import { samples } from "../../generated/agentmail/2026-08-03/fixtures.js";
import { createPlainTestRequest, signPlainWebhook } from "../../generated/plain/index.js";
import { samples as plainSamples } from "../../generated/plain/2026-02-27/fixtures.js";

export async function signedRoundTrip(): Promise<boolean> {
  const options: SignWebhookOptions = { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_1", timestamp: new Date() };
  const signed: SignedWebhook = await signAgentMailWebhook(samples["message.received"], options);
  const headers: Record<string, string> = signed.headers;
  const body: string = signed.body;
  // the result is what the verifier takes
  const verdict = await verifyAgentMailWebhook({ headers, body }, options.secret);
  // a string is signed byte for byte
  await signAgentMailWebhook('{"type":"event"}', { secret: options.secret, timestamp: 1_760_000_000 });
  // @ts-expect-error an AgentMail helper takes AgentMail events, not Plain's
  await signAgentMailWebhook(plainSamples["thread.email_sent"], options);
  // @ts-expect-error the secret is required
  await signAgentMailWebhook(samples["message.received"], { id: "msg_1" });
  // @ts-expect-error exactOptionalPropertyTypes: an optional id is left out, not undefined
  await signAgentMailWebhook(samples["message.received"], { secret: options.secret, id: undefined });
  return verdict.ok;
}

export async function handlerUnderTest(): Promise<number> {
  const handler = createAgentMailWebhookHandler({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", on: {} });
  const request: Request = await createAgentMailTestRequest(samples["message.received"], {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    url: "https://example.com/hooks/agentmail",
  });
  const plain: Request = await createPlainTestRequest(plainSamples["thread.email_sent"], { secret: "s" });
  // @ts-expect-error a Plain event's signing helpers need the payload
  await signPlainWebhook({ secret: "s" });
  void plain;
  return (await handler(request)).status;
}
