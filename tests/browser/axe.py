"""axe-core (bundled by axe-playwright-python) with the WCAG 2.1 A/AA rule set."""

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()


def violations(page) -> list[str]:
    result = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in v["nodes"][:5]
        )
        for v in result.response["violations"]
    ]
