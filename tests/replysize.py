"""How long the first Slack message of a diagnosis is: what a reader scrolls through on a phone.

    python -m tests.replysize

Renders typical pastes (a deployment log, an SDK error, a close call, a crash) as the slash command
answers them and prints, per language, the blocks and the visible characters: every text a reader
sees (header, sections, context lines, button labels), links counted by their label only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bot.engine.diagnose import diagnose
from bot.engine.index import build_index
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from bot.replies.render import Renderer

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
PASTES = {
    "ERR_1200 log": "$ az ml online-deployment create -f blue.yml --all-traffic -e fraud-ep -g rg-ml\n"
                    "Creating/updating online deployment blue ....\nERROR: (BadArgument) ERR_1200: Unable to "
                    "download user container image. Failed to pull image\nmyacr.azurecr.io/azureml/azureml_3f2a:"
                    "latest for deployment blue of endpoint fraud-ep\n",
    "OutOfQuota": "ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2 in SubscriptionId 1234. "
                  "az ml online-deployment create -e fraud-ep -g rg-ml",
    "429 close call": "HTTP 429 Too Many Requests from my online endpoint scoring URL inference.ml.azure.com",
    "crash": "ERROR: (ResourceNotReady) User container has crashed or terminated: Liveness probe failed. "
             "az ml online-deployment get-logs -e fraud-ep -n blue",
}
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")


def visible_length(blocks: list[dict]) -> int:
    """Characters a reader sees in `blocks`: texts of headers, sections, context elements and buttons."""
    total = 0
    for block in blocks:
        texts = [block.get("text")] + list(block.get("elements") or ())
        for item in texts:
            text = item.get("text") if isinstance(item, dict) else None
            if isinstance(text, dict):
                text = text.get("text")
            if isinstance(text, str):
                total += len(_LINK.sub(r"\2", text))
    return total


def main() -> int:
    guides, _ = load_guide_files(KNOWLEDGE)
    index = build_index(load_knowledge(KNOWLEDGE).entries, guides)
    renderer = Renderer(guides=guides)
    for name, paste in PASTES.items():
        diagnosis = diagnose(paste, index)
        for lang in ("en", "de"):
            reply = renderer.slack(diagnosis, lang, diagnosis_id=1)
            print(f"{name:15} {lang}  {diagnosis.decision:10}  blocks {len(reply.blocks):2}  "
                  f"visible characters {visible_length(reply.blocks):5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
