// Baseline for bench/run_intake_bench.sh: the smallest webhook receiver built on Shopify's
// official package. It validates each delivery with shopify.webhooks.validate (HMAC over
// the raw body + the required X-Shopify-* headers) and answers 200; it stores nothing.
//   node server.js <port> [secret]      prints "listening <port>" once ready
import '@shopify/shopify-api/adapters/node';
import {shopifyApi, ApiVersion, LogSeverity} from '@shopify/shopify-api';
import http from 'node:http';

const port = Number(process.argv[2] ?? 8090);
const secret = process.argv[3] || 'hush';

const shopify = shopifyApi({
  apiKey: 'shopsync-bench',
  apiSecretKey: secret,
  scopes: [],
  hostName: '127.0.0.1',
  apiVersion: ApiVersion.July26,
  isEmbeddedApp: false,
  logger: {level: LogSeverity.Error},
});

function reply(res, status, text) {
  res.writeHead(status, {'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text)}).end(text);
}

const server = http.createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  try {
    const check = await shopify.webhooks.validate({rawBody, rawRequest: req, rawResponse: res});
    if (!check.valid) {
      reply(res, 401, 'unauthorized\n');
      return;
    }
    reply(res, 200, 'ok\n');
  } catch (e) {
    res.writeHead(500).end();
  }
});
server.keepAliveTimeout = 75000;
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
