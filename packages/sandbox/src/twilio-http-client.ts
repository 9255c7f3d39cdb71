import twilio from 'twilio';

const TWILIO_API = 'https://api.twilio.com';

/**
 * The `httpClient` option for twilio-node that sends its REST calls to the sandbox instead of
 * api.twilio.com (twilio-node has no base-URL option). Leave TWILIO_REGION/TWILIO_EDGE unset: they
 * rewrite the host before this sees it.
 *
 *   twilio(accountSid, authToken, { httpClient: twilioHttpClientFor(sandbox.url) })
 */
export function twilioHttpClientFor(sandboxUrl: string, options: { timeoutMs?: number } = {}): twilio.RequestClient {
  const base = sandboxUrl.replace(/\/+$/, '');
  const client = new twilio.RequestClient(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs });
  const send = client.request.bind(client);
  client.request = (opts) => {
    const uri = opts.uri.startsWith(TWILIO_API) ? base + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return send({ ...opts, uri });
  };
  return client;
}
