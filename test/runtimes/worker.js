// workerd: the smoke program inside a worker, answered over HTTP. /ready answers without
// touching simlearn; /init imports and inits (timed from outside); /smoke runs the program.
import { smoke } from './smoke.js';

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === '/init') {
        await (await import('simlearn')).init();
        return new Response('ok');
      }
      if (pathname === '/smoke') return Response.json(await smoke(() => import('simlearn')));
      return new Response('ready');
    } catch (err) {
      return new Response(String(err?.stack ?? err), { status: 500 });
    }
  },
};
