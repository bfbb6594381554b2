// float64 oracles for the unary family (value and derivative). Never imported by src/.
export type UnaryName = 'exp' | 'log' | 'softplus' | 'sigmoid' | 'sqrt' | 'pow' | 'abs' | 'clamp' | 'neg' | 'square' | 'logSigmoid' | 'tanh';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** f(x) with parameters a, b (pow exponent; clamp bounds). */
export function unaryRef(op: UnaryName, x: number, a = 0, b = 0): number {
  switch (op) {
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'softplus': return softplus(x);
    case 'sigmoid': return sigmoid(x);
    case 'sqrt': return Math.sqrt(x);
    case 'pow': return Math.pow(x, a);
    case 'abs': return Math.abs(x);
    case 'clamp': return Math.min(Math.max(x, a), b);
    case 'neg': return -x;
    case 'square': return x * x;
    case 'logSigmoid': return -softplus(-x);
    case 'tanh': return Math.tanh(x);
  }
}

/** f'(x), torch's subgradients at kinks (|x|' = 0 at 0, clamp passes at its bounds). */
export function unaryGradRef(op: UnaryName, x: number, a = 0, b = 0): number {
  switch (op) {
    case 'exp': return Math.exp(x);
    case 'log': return 1 / x;
    case 'softplus': return sigmoid(x);
    case 'sigmoid': return sigmoid(x) * (1 - sigmoid(x));
    case 'sqrt': return 0.5 / Math.sqrt(x);
    case 'pow': return a === 0 ? 0 : a * Math.pow(x, a - 1);
    case 'abs': return Math.sign(x);
    case 'clamp': return x >= a && x <= b ? 1 : 0;
    case 'neg': return -1;
    case 'square': return 2 * x;
    case 'logSigmoid': return sigmoid(-x);
    case 'tanh': return 1 - Math.tanh(x) ** 2;
  }
}
