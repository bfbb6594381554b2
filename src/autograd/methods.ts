// The Tensor methods of the public API, bound to the ops (kept here so tensor.ts does not
// import every op family).
import { Tensor } from './tensor';
import { add, div, mul, relu, sub } from '../ops/eltwise';
import { mean, sum } from '../ops/reduce';
import { matmul, transpose } from '../ops/gemm';
import { reshape } from '../ops/shape';

declare module './tensor' {
  interface Tensor {
    add(b: Tensor | number): Tensor;
    sub(b: Tensor | number): Tensor;
    mul(b: Tensor | number): Tensor;
    div(b: Tensor | number): Tensor;
    relu(): Tensor;
    sum(axis?: number): Tensor;
    mean(axis?: number): Tensor;
    matmul(b: Tensor): Tensor;
    transpose(): Tensor;
    reshape(shape: readonly number[]): Tensor;
  }
}

Tensor.prototype.add = function (b) { return add(this, b); };
Tensor.prototype.sub = function (b) { return sub(this, b); };
Tensor.prototype.mul = function (b) { return mul(this, b); };
Tensor.prototype.div = function (b) { return div(this, b); };
Tensor.prototype.relu = function () { return relu(this); };
Tensor.prototype.sum = function (axis) { return sum(this, axis); };
Tensor.prototype.mean = function (axis) { return mean(this, axis); };
Tensor.prototype.matmul = function (b) { return matmul(this, b); };
Tensor.prototype.transpose = function () { return transpose(this); };
Tensor.prototype.reshape = function (shape) { return reshape(this, shape); };
