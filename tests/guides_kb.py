"""A knowledge base of three guides whose entries share HTTP statuses: the shipped managed online
endpoints guide (with one more entry, for 503), an AKS inference guide and an App Service guide.

Only the words of the paste (`inference.ml.azure.com`, `kubectl`, `azurewebsites.net`) can tell
which guide a bare "503 Service Unavailable" belongs to.
"""

from __future__ import annotations

from bot.engine.model import Cause, Command, Entry, Guide, Localized, Signals


def _l(text: str) -> Localized:
    return Localized(text, f"{text} (de)")


MOE = "managed-online-endpoints"
AKS = "aks-inference"
APP_SERVICE = "app-service"


def _entry(entry_id: str, guide: str, signals: Signals, command: str) -> Entry:
    cause = Cause(_l(f"{entry_id} cause"), _l("why it happens"), (_l("check this"),),
                  (Command(command, _l("look")),))
    return Entry(id=entry_id, kind="scoring-status", guide=guide, anchor=entry_id.lower(),
                 title=_l(f"{entry_id} title"), summary=_l(f"summary of {entry_id}"), signals=signals, causes=(cause,))


AKS_GUIDE = Guide(AKS, Localized("Troubleshooting model inference on AKS", "Problembehandlung für Inferenz auf AKS"),
                  "en", "https://example.org/aks-inference",
                  markers=("kubectl", "az aks", "aks-nodepool", "kube-system"),
                  weak_markers=("pod", "pods", "cluster", "ingress"))
APP_SERVICE_GUIDE = Guide(APP_SERVICE,
                          Localized("Troubleshooting App Service apps", "Problembehandlung für App Service"),
                          "en", "https://example.org/app-service",
                          markers=("azurewebsites.net", "az webapp", "kudu"),
                          weak_markers=("web app", "webapp"))

MOE_ENTRIES = (
    _entry("MOE_503", MOE, Signals(status=(503,), symptoms=("deployment is scaling and cannot take more requests",)),
           "az ml online-deployment show -e <endpoint-name> -n <deployment-name>"),
)
AKS_ENTRIES = (
    _entry("AKS_503", AKS, Signals(status=(503,), symptoms=("ingress has no ready pods behind the service",)),
           "kubectl get pods -n <namespace>"),
    _entry("AKS_429", AKS, Signals(status=(429,), symptoms=("ingress rate limit per client",)),
           "kubectl describe ingress -n <namespace>"),
    _entry("AKS_502", AKS, Signals(status=(502,), phrases=("upstream connect error",)),
           "kubectl logs deploy/<deployment-name>"),
)
APP_SERVICE_ENTRIES = (
    _entry("APPSVC_503", APP_SERVICE, Signals(status=(503,), symptoms=("app service plan instances are restarting",)),
           "az webapp log tail -n <app-name>"),
    _entry("APPSVC_502", APP_SERVICE, Signals(status=(502,), symptoms=("bad gateway from the app service front end",)),
           "az webapp restart -n <app-name>"),
)
OTHER_GUIDES = (AKS_GUIDE, APP_SERVICE_GUIDE)
OTHER_ENTRIES = AKS_ENTRIES + APP_SERVICE_ENTRIES
