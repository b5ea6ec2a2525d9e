/** A minimal XML-RPC client for supervisord's private unix socket, on one keep-alive HTTP connection. */
import http from 'node:http';

/** A call that gets no answer within this fails. */
const XMLRPC_TIMEOUT_MS = 60_000;

export type XmlRpcParam = boolean | number | string;

function param(p: XmlRpcParam): string {
  if (typeof p === 'boolean') return `<boolean>${p ? 1 : 0}</boolean>`;
  if (typeof p === 'number') return `<int>${p}</int>`;
  return `<string>${p.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</string>`;
}

export class XmlRpcClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly socketPath: string) {}

  /** Calls method and resolves with the raw XML of the response; rejects on a fault or an HTTP error. */
  call(method: string, ...params: XmlRpcParam[]): Promise<string> {
    const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>` +
      `${params.map((p) => `<param><value>${param(p)}</value></param>`).join('')}</params></methodCall>`;
    return new Promise((resolve, reject) => {
      const req = http.request({
        socketPath: this.socketPath, path: '/RPC2', method: 'POST', agent: this.agent, timeout: XMLRPC_TIMEOUT_MS,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${method}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          else if (text.includes('<fault>')) reject(new Error(`${method}: fault ${text.replace(/\s+/g, ' ').slice(0, 300)}`));
          else resolve(text);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method}: no answer within ${XMLRPC_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
