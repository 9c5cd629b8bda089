/**
 * The training step as one ONNX graph: forward pass + loss, its reverse-mode gradient (built by the
 * autodiff room) and an Adam update. Inputs: a batch of cached taps, parameters, running statistics and
 * Adam moments; outputs: loss and the new values of all of them, so the loop only feeds outputs back.
 */
import { GraphBuilder, type Graph } from '../onnx/graph';
import { addGradients, type ShapeMap } from '../onnx/autodiff';
import type { TrainingForward } from '../patchflow/head';

export interface AdamSettings {
  learningRate: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const adamDefaults = (learningRate = 1e-3, weightDecay = 1e-4): AdamSettings => ({
  learningRate,
  weightDecay,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
});

export const STEP_LOSS = 'loss';
export const LEARNING_RATE = 'learning_rate';
/** 1 / (1 − β1^t) and 1 / (1 − β2^t), fed per step so the graph needs no step counter. */
export const BIAS_CORRECTION = ['bias_correction1', 'bias_correction2'] as const;
export const firstMoment = (p: string) => `adam.m/${p}`;
export const secondMoment = (p: string) => `adam.v/${p}`;
/** The step's output carrying the next value of input `name`. */
export const nextValue = (name: string) => `next/${name}`;

/**
 * Extends the forward graph into the full training step (PyTorch Adam with L2 weight decay:
 * g ← ∇ + λ·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·(m·c1) / (√(v·c2) + ε)).
 */
export function buildTrainingStep(forward: TrainingForward, shapes: ShapeMap, adam: AdamSettings): Graph {
  const graph: Graph = { ...forward.graph, nodes: [...forward.graph.nodes], inputs: [...forward.graph.inputs], outputs: [] };
  const gradients = addGradients(graph, { loss: forward.loss, wrt: forward.parameters, shapes });
  const b = new GraphBuilder(graph, 'adam/');
  const lr = b.input(LEARNING_RATE, 'float32', []);
  const [c1, c2] = BIAS_CORRECTION.map((n) => b.input(n, 'float32', []));
  const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, decay] = [adam.beta1, 1 - adam.beta1, adam.beta2, 1 - adam.beta2, adam.epsilon, adam.weightDecay].map((v) => b.scalar(v));

  b.outputAs(forward.loss, STEP_LOSS, 'float32', []);
  for (const p of forward.parameters) {
    const dims = shapes.get(p);
    const m = b.input(firstMoment(p), 'float32', dims);
    const v = b.input(secondMoment(p), 'float32', dims);
    const g = b.op('Add', [gradients.get(p)!, b.op('Mul', [p, decay])]);
    const m2 = b.op('Add', [b.op('Mul', [m, beta1]), b.op('Mul', [g, oneMinusBeta1])]);
    const v2 = b.op('Add', [b.op('Mul', [v, beta2]), b.op('Mul', [b.op('Mul', [g, g]), oneMinusBeta2])]);
    const update = b.op('Div', [b.op('Mul', [m2, c1]), b.op('Add', [b.op('Sqrt', [b.op('Mul', [v2, c2])]), eps])]);
    b.outputAs(b.op('Sub', [p, b.op('Mul', [update, lr])]), nextValue(p), 'float32', dims);
    b.outputAs(m2, nextValue(firstMoment(p)), 'float32', dims);
    b.outputAs(v2, nextValue(secondMoment(p)), 'float32', dims);
  }
  for (const [buffer, updated] of forward.runningStats) b.outputAs(updated, nextValue(buffer), 'float32', shapes.get(buffer));
  return graph;
}
