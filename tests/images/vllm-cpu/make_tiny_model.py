"""Writes a tiny random-weight Llama model and a BPE tokenizer for it.

No model hub is reachable where the tests run, so the model vLLM serves in the
tests and the demo is made here, at image build time. It answers gibberish,
which is all a deployment test needs: the server loads it through the same
code path as a real Llama checkpoint, serves the OpenAI API and exports metrics.

Everything is seeded so two builds write byte-identical weights and tokenizer.

Usage: python make_tiny_model.py OUTPUT_DIR
"""

import random
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

SEED = 1234
VOCAB_SIZE = 512
BOS, EOS, PAD = "<s>", "</s>", "<pad>"
ROLE_TOKENS = ["<|system|>", "<|user|>", "<|assistant|>"]

# A minimal chat format: one role marker per message, each message closed by
# EOS, so a generation also stops on EOS. vLLM's /v1/chat/completions needs a
# template; without one it refuses chat requests.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

WORDS = (
    "the a an model server request token metric latency throughput queue cache "
    "memory prompt answer chat stream health ready deploy container service "
    "monitor alert scrape target job instance gpu cpu node cluster load balance "
    "hello world please tell me about what why how when where which who is are "
    "was were be been have has had do does did can could will would should may "
    "and or but if then else for while with without from into over under again "
    "one two three four five six seven eight nine ten zero first last next "
    "vllm prometheus grafana alertmanager ansible systemd docker podman python"
).split()


def training_corpus(rng, lines=4000):
    # Deterministic pseudo-sentences: enough variety for a few hundred merges.
    for _line in range(lines):
        n = rng.randint(4, 16)
        words = [rng.choice(WORDS) for _word in range(n)]
        if rng.random() < 0.3:
            words.append(str(rng.randint(0, 9999)))
        yield " ".join(words).capitalize() + rng.choice([".", "?", "!", ","])


def build_tokenizer(rng):
    tok = Tokenizer(models.BPE())
    # Byte-level: every possible input string has an encoding, and every id
    # the random model samples decodes to some text.
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=[BOS, EOS, PAD, *ROLE_TOKENS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(training_corpus(rng)), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        additional_special_tokens=ROLE_TOKENS,
        model_max_length=2048,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_model(tokenizer):
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=32,  # vLLM's CPU attention kernels want head sizes of 32 or more
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
        dtype="float32",
    )
    torch.manual_seed(SEED)
    model = LlamaForCausalLM(config)
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model.eval()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    tokenizer = build_tokenizer(rng)
    model = build_model(tokenizer)
    tokenizer.save_pretrained(out)
    model.save_pretrained(out, safe_serialization=True)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"wrote {out}: {n_params} parameters, vocabulary of {len(tokenizer)}")


if __name__ == "__main__":
    main()
