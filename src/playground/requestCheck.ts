// Which requests the playground answers at all. Listening on loopback is not enough: a page from
// anywhere can point a name it controls at 127.0.0.1 (DNS rebinding) and read what the server
// says, the program included, as same-origin. Such a request still names the attacker's host,
// so only the loopback names with our port are served. And a request target is the client's
// text, not ours: one that does not decode is answered, not thrown.

export type RequestVerdict = { path: string } | { status: number; text: string };

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The Host values a browser sends for this server's own URLs. */
export function loopbackHosts(port: number): Set<string> {
  const hosts = LOOPBACK_NAMES.map((n) => `${n}:${port}`);
  // a browser leaves out the default port
  if (port === 80) hosts.push(...LOOPBACK_NAMES);
  return new Set(hosts);
}

/**
 * The decoded path a request asks for, or the answer that refuses it: 400 for a target that is
 * not a path (or not decodable), 403 for a Host that is not this server's loopback name.
 */
export function checkRequest(target: string | undefined, host: string | undefined, port: number): RequestVerdict {
  let pathPart: string;
  let authority = host;
  if (target === undefined || target === '') return { status: 400, text: 'bad request: no request target\n' };
  if (target.startsWith('/')) pathPart = target;
  else {
    // absolute-form (`GET http://host/path`): its authority, not the Host header, names the server
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { status: 400, text: 'bad request: the request target is not a path or a URL\n' };
    }
    if (url.protocol !== 'http:') return { status: 400, text: 'bad request: only http URLs are served\n' };
    pathPart = `${url.pathname}${url.search}`;
    authority = url.host;
  }
  if (authority === undefined || authority === '') return { status: 400, text: 'bad request: a Host header is required\n' };
  if (!loopbackHosts(port).has(authority.toLowerCase())) {
    return { status: 403, text: `forbidden: this server answers only to http://127.0.0.1:${port}/ and localhost, not to "${authority.slice(0, 100)}"\n` };
  }
  let path: string;
  try {
    path = decodeURIComponent(pathPart.split('?')[0] ?? '/');
  } catch {
    return { status: 400, text: 'bad request: malformed percent-encoding in the URL\n' };
  }
  if (path.includes('\0')) return { status: 400, text: 'bad request: NUL in the URL\n' };
  return { path };
}
