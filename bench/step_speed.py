"""How fast is one training step? The document's listings, transcribed literally, against core's trainer.

    python -m bench.step_speed [--steps 10000] [--rounds 15]

(a) is Algorithms 1-4 of the design document as written (Algorithm 1's x / 255 as (784, 1)
columns, new arrays for every update, the samples in dataset order) with erratum 4 fixed (softmax
returns exp/sum) and erratum 5 fixed (nothing printed per sample: the listing's per-sample print
would add about 6 µs of output to (a) and flatter (b)); both (a) and (b) include turning the uint8
images into x = p / 255. (b) is Trainer.train(), which the app's Step ×10, ×100 and Run epoch
use: network.sgd_step for every sample plus the history the screens draw. (c) is a bare loop of
network.sgd_step over the same samples, the step without the trainer's bookkeeping. Both start from the same initial parameters on real MNIST; the script first checks that they
reach the same parameters after 2,000 steps, then times each. The machine may be shared, so
the two run alternately for several rounds, in CPU time (time.process_time), and the figures are
the best round of each; the speed-up of every round is printed too. It also times one evaluation
of the whole test set. The last line is the speed-up (a) / (b) of the best times.
"""

import argparse
import time

import numpy as np

from core.model.network import init_parameters, pixels, sgd_step
from core.training.settings import Settings
from core.training.trainer import Trainer
from data import load_mnist

# --- the document's listings (Algorithms 2-4), transcribed --------------------------------------


def ReLU(x):
    return np.maximum(0, x)


def softmax(Z):
    Z = Z - np.max(Z)
    exp_values = np.exp(Z)
    sum_exp_values = np.sum(exp_values)
    return exp_values / sum_exp_values  # erratum 4: the listing returns an undefined name


def d_ReLU(x):
    return x > 0


def forwardProp(A, W_1, b_1, W_2, b_2):
    A_1 = np.dot(W_1.T, A)
    Z_1 = A_1 + b_1
    A_1 = ReLU(Z_1)
    A_2 = np.dot(W_2.T, A_1)
    Z_2 = A_2 + b_2
    A_2 = softmax(Z_2)
    return A_1, Z_1, A_2, Z_2


def backProp(A, A_1, A_2, Z_1, Z_2, W_1, W_2, mean):
    vector = np.zeros((10, 1))
    vector[mean, 0] = 1

    dZ2 = 2 * (A_2 - vector)
    dW2 = np.dot(A_1, dZ2.T)
    db2 = dZ2

    dA1 = np.dot(W_2, dZ2)
    dZ1 = dA1 * d_ReLU(Z_1)
    dW1 = np.dot(A, dZ1.T)
    db1 = dZ1

    return dW1, db1, dW2, db2


def literal_steps(A_layers, y_train, W_1, b_1, W_2, b_2, learning_rate):
    """The inner loop of gradientDescent (Algorithm 4) over the given samples."""
    correct_predictions = 0
    for i in range(len(A_layers)):
        A = A_layers[i]
        A_1, Z_1, A_2, Z_2 = forwardProp(A, W_1, b_1, W_2, b_2)

        predicted_label = np.argmax(A_2)
        if predicted_label == y_train[i]:
            correct_predictions += 1

        dW_1, db_1, dW_2, db_2 = backProp(A, A_1, A_2, Z_1, Z_2, W_1, W_2, y_train[i])

        W_1 = W_1 - learning_rate * dW_1
        b_1 = b_1 - learning_rate * db_1
        W_2 = W_2 - learning_rate * dW_2
        b_2 = b_2 - learning_rate * db_2
    return W_1, b_1, W_2, b_2


def initial_columns(settings):
    """The trainer's initial parameters in the document's shapes (biases as (n, 1) columns)."""
    params = init_parameters(settings.hidden, settings.init, settings.seed)
    return params.W1, params.b1.reshape(-1, 1), params.W2, params.b2.reshape(-1, 1)


def literal_training(images, labels, settings):
    """Algorithm 1's preparation of the samples (x / 255 as (784, 1) columns), then Algorithm 4's loop."""
    x_train = images / 255
    A_layers = [x_train[i].reshape(784, 1) for i in range(len(x_train))]
    return literal_steps(A_layers, labels, *initial_columns(settings), settings.learning_rate)


def bare_steps(images, labels, settings):
    """network.sgd_step for each sample in order, keeping nothing else (with the same conversion as (a))."""
    params = init_parameters(settings.hidden, settings.init, settings.seed)
    for x, label in zip(pixels(images), labels.tolist()):
        sgd_step(params, x, label, settings.learning_rate, settings.rule)
    return params


def cpu_seconds(run) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    mnist = load_mnist()
    settings = Settings()
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    images, labels = mnist.train_images[:max(args.steps, 2_000)], np.asarray(mnist.train_labels[:max(args.steps, 2_000)])

    literal = literal_training(images[:2_000], labels[:2_000], settings)
    trainer = Trainer(settings, *data)
    trainer.train(2_000)
    same = all(np.allclose(a.reshape(b.shape), b, rtol=1e-9, atol=1e-12)
               for a, b in zip(literal, trainer.params.as_tuple()))
    bare = bare_steps(images[:2_000], labels[:2_000], settings)
    identical = all(np.array_equal(a, b) for a, b in zip(bare.as_tuple(), trainer.params.as_tuple()))
    print(f"same parameters after 2,000 steps: (a) and (b) allclose {same}, (b) and (c) identical {identical}")
    if not (same and identical):
        raise SystemExit("the implementations disagree; the timing would mean nothing")

    rounds = [(cpu_seconds(lambda: literal_training(images[:args.steps], labels[:args.steps], settings)),
               cpu_seconds(lambda: Trainer(settings, *data).train(args.steps)),
               cpu_seconds(lambda: bare_steps(images[:args.steps], labels[:args.steps], settings)))
              for _ in range(args.rounds)]
    literal_us = min(literal for literal, _, _ in rounds) / args.steps * 1e6
    core_us = min(core for _, core, _ in rounds) / args.steps * 1e6
    bare_us = min(bare for _, _, bare in rounds) / args.steps * 1e6
    print(f"(a) literal transcription: {literal_us:.1f} µs per step "
          f"(CPU time, {args.steps:,} steps with their Algorithm 1 conversion, best of {args.rounds} rounds)")
    print(f"(b) core Trainer.train:    {core_us:.1f} µs per step "
          f"(CPU time, {args.steps:,} steps from a new trainer, best of {args.rounds} rounds)")
    print(f"(c) bare network.sgd_step: {bare_us:.1f} µs per step (the step alone, no history; "
          f"speed-up (a) / (c) {literal_us / bare_us:.2f})")
    print("speed-up (a) / (b) in each round:", ", ".join(f"{literal / core:.2f}" for literal, core, _ in rounds))

    evaluations = []
    for _ in range(10):
        trainer.step()  # a step invalidates the cached test predictions
        start = time.perf_counter()
        trainer.evaluate()
        evaluations.append(time.perf_counter() - start)
    print(f"full test set evaluation ({len(mnist.test_labels):,} images): {np.median(evaluations) * 1e3:.1f} ms (median of 10)")
    print(f"speed-up (a) / (b): {literal_us / core_us:.2f}")


if __name__ == "__main__":
    main()
