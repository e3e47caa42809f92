import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import type { Parameter } from '../nn/parameter';

/**
 * PyTorch's `loss.backward()`: runs `loss`, differentiates the scalar it returns with respect to every trainable
 * variable it depends on, and adds each gradient to that parameter's `grad` (set when it was null), so two calls
 * without `optimizer.zeroGrad()` between them add up, as in PyTorch. Returns the loss, which the caller owns and
 * disposes; every other tensor the closure made is freed, and the gradients outlive an enclosing tf.tidy.
 *
 * Every tfjs op (`tf.abs`, `tf.sum`, `t.square().mean()` …) and every edgeml op may appear in the closure, mixed
 * freely; tfjs's gradients are registered by importing `edgeml` (see register.ts). Tensors made before the call are
 * constants to it: compute the loss from the model's output inside the closure.
 */
export function backward(loss: () => tf.Tensor): tf.Scalar {
  const variables = trainableVariables();
  const { value, grads } = differentiate(loss, variables);
  grads.forEach((g, i) => g && accumulate(variables[i] as Parameter, g));
  return value;
}

/**
 * `torch.autograd.grad(loss, inputs)`: the gradient of the scalar `loss()` with respect to each of `inputs`, in order,
 * leaving every `grad` untouched. An input the loss does not reach gets zeros. The loss itself is disposed.
 */
export function grad(loss: () => tf.Tensor, inputs: readonly tf.Variable[]): tf.Tensor[] {
  if (inputs.length === 0)
    throw new ArgumentError('autograd.grad needs at least one input to differentiate with respect to');
  const { value, grads } = differentiate(loss, [...inputs]);
  value.dispose();
  return grads.map((g, i) => g ?? tf.zerosLike(inputs[i]));
}

/** The engine's registered variables that are trainable: PyTorch's leaves with requires_grad. */
function trainableVariables(): tf.Variable[] {
  const variables = Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
  if (variables.length === 0) {
    throw new ArgumentError('autograd.backward found no trainable parameters: create the model before calling it');
  }
  return variables;
}

/**
 * Runs the loss on a gradient tape and back-propagates from it. Checks come after the backward pass (the engine
 * offers no earlier point that frees the tape on failure), and on failure everything is disposed before throwing.
 */
function differentiate(
  loss: () => tf.Tensor,
  variables: tf.Variable[],
): { value: tf.Scalar; grads: (tf.Tensor | undefined)[] } {
  const { value, grads } = backpropagate(loss, variables);
  if (value.rank !== 0) {
    tf.dispose([value, ...grads.filter((g) => g)]);
    throw new ArgumentError(
      `the loss must be a scalar, got a tensor of shape [${value.shape}]: reduce it first (tf.mean or tf.sum)`,
      { shape: value.shape },
    );
  }
  if (grads.every((g) => !g)) {
    value.dispose();
    throw new ArgumentError(
      'the loss does not depend on any trainable parameter: compute it inside the closure from the model’s output ' +
        '(tensors computed before the call are constants to it)',
    );
  }
  // Kept, so that gradients outlive a tf.tidy around the call, as .grad outlives PyTorch's scopes.
  return { value: value as tf.Scalar, grads: grads.map((g) => (g ? tf.keep(g) : undefined)) };
}

/** The engine's backward pass, with its error for an op that has no gradient turned into one that says what to do. */
function backpropagate(
  loss: () => tf.Tensor,
  variables: tf.Variable[],
): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] } {
  try {
    return tf.engine().gradients(loss, variables, undefined, true);
  } catch (error) {
    const message = String((error as Error)?.message);
    const op = /gradient function not found for (\w+)/.exec(message)?.[1];
    if (op) {
      throw new ArgumentError(
        `the loss goes through the ${op} op, which has no gradient: import 'edgeml' (its entry registers every ` +
          `tfjs gradient), or keep ${op} out of the loss (it is not differentiable in PyTorch either)`,
        { op },
      );
    }
    const [, kernel, backend] = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(message) ?? [];
    if (kernel) {
      // tfjs's wasm backend lacks a few gradient kernels (Conv2DBackpropFilter for tf.conv2d's weight,
      // UnsortedSegmentSum for tf.gather), and tfjs does not fall back to another backend.
      throw new ArgumentError(
        `the loss or its gradient needs the ${kernel} kernel, which tfjs's ${backend} backend lacks: use edgeml's op ` +
          `(F.conv2d rather than tf.conv2d, a one-hot product rather than tf.gather), or EDGEML_BACKEND=cpu`,
        { kernel, backend },
      );
    }
    throw error;
  }
}

/**
 * `p.grad = p.grad ? p.grad + g : g`, disposing what it replaces. Any trainable variable the loss reaches gets a
 * `grad`, as any leaf tensor with requires_grad does in PyTorch; an nn.Parameter starts with null.
 */
function accumulate(p: Parameter, g: tf.Tensor): void {
  if (!p.grad) {
    p.grad = g;
    return;
  }
  const sum = tf.keep(tf.add(p.grad, g));
  tf.dispose([p.grad, g]);
  p.grad = sum;
}
