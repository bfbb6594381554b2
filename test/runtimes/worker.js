// workerd: the smoke program inside a worker, answered over HTTP. /ready answers without
// touching simlearn; /init imports and inits (timed from outside); /smoke runs the program.
// env.SIMD ('auto' or 'baseline') becomes init({ simd }).
import { smoke } from './smoke.js';

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const options = { simd: env.SIMD };
    try {
      if (pathname === '/init') {
        await (await import('simlearn')).init(options);
        return new Response('ok');
      }
      if (pathname === '/smoke') return Response.json(await smoke(() => import('simlearn'), options));
      return new Response('ready');
    } catch (err) {
      return new Response(String(err?.stack ?? err), { status: 500 });
    }
  },
};
