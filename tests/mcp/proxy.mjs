// Forwards every request to TARGET with a bearer token added, Host and
// Origin kept: the MCP conformance suite sends no token.
//
//   node proxy.mjs LISTEN_PORT TARGET_URL TOKEN
import http from "node:http";

const [listen, target, token] = process.argv.slice(2);
const to = new URL(target);
http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  const upstream = http.request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  upstream.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(upstream);
}).listen(Number(listen), "127.0.0.1");
