"""A small hand-written knowledge base for matcher tests that must not move with the shipped one."""

from __future__ import annotations

from bot.engine.model import Cause, Command, Entry, Guide, Localized, Signals


def _l(text: str) -> Localized:
    return Localized(text, f"{text} (de)")


LOGS = (Command("az ml online-deployment get-logs -e <endpoint-name> -n <deployment-name>", _l("logs")),)


def entry(entry_id: str, signals: Signals, *, causes: tuple[Cause, ...] = ()) -> Entry:
    cause = Cause(_l(f"{entry_id} cause"), _l("why it happens"), (_l("check this"),), LOGS)
    return Entry(id=entry_id, kind="scoring-status", guide="mini", anchor=entry_id.lower(), title=_l(entry_id),
                 summary=_l(f"summary of {entry_id}"), signals=signals, causes=causes or (cause,))


GUIDE = Guide("mini", _l("Mini guide"), "en", "https://example.org/guide",
              markers=("inference.ml.azure.com", "az ml", "azureml", "online endpoint"),
              foreign=("api.openai.com", "kubectl", "github.com"))

ENTRIES = (
    entry("QUOTA", Signals(codes=("OutOfQuota", "ERR_1100"), phrases=("not enough quota",),
                           symptoms=("ran out of cores quota in the region", "Kontingent reicht nicht"))),
    entry("RATE", Signals(status=(429,), phrases=("rate limit exceeded",),
                          symptoms=("more than 100 requests per second to the endpoint",))),
    entry("PENDING", Signals(status=(429,), phrases=("too many pending requests",),
                             patterns=(r"max_concurrent_requests_per_instance\s?[=:]\s?\d{1,4}",),
                             symptoms=("requests pile up faster than the instances answer",)),
          causes=(Cause(_l("concurrency too low"), _l("x"), commands=LOGS, hints=("max_concurrent",)),
                  Cause(_l("autoscale too slow"), _l("y"), commands=LOGS, hints=("autoscale", "scale out")))),
    entry("CRASH", Signals(codes=("ResourceNotReady",), phrases=("liveness probe failed",),
                           symptoms=("container crashes during startup", "Container stürzt beim Start ab"))),
)
