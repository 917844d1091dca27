"""A learner's JupyterLab path in a real browser: `make lab`, Run All in Chromium, then what a person sees.

One Korean notebook (notebooks/ko) runs too: its text and its figures must read in Korean, in a font that has
Hangul (fonts-noto-cjk, from `make browser`), which the screenshot in build/browser/ shows."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from .conftest import LAB_DIR, OUT, REPO, WINDOW, Lab, poll, wait_for

TALLEST_SCREENSHOT = 16000
PLOTLY_MIME = "application/vnd.plotly.v1+json"
# Paths under the lab's folder; a notebook under ko/ is the Korean edition's (the helpers speak Korean there).
KOREAN = "ko/01_first_lambda.ipynb"
NOTEBOOKS = ["01_first_lambda.ipynb", "prices.ipynb", KOREAN]
HANGUL = re.compile("[\uac00-\ud7a3]")

# The price and cost tables of modules 3-5 and one figure, shown the way the notebooks show them.
PRICES_CELLS = [
    "# Prices and costs\n\nThe workshop's price tables and a figure, with nothing deployed.",
    "import helpers\nfrom helpers import measure, views\n\nws = helpers.connect()",
    'views.tables.price_table(["lambda", "api_gateway", "rds", "rds_proxy", "secrets", "vpc_endpoint", "provisioned"])',
    'views.tables.price_table(["xray"])',
    "plan = measure.capacity.capacity_plan(100, duration_ms=50, provisioned_share=0.5)\n"
    "book = measure.prices.price_book(ws)\n"
    "views.tables.readable(measure.capacity.monthly_cost(plan, book).lines)",
    'views.latency.concurrency_figure({"cold start": 250.0, "warm": 12.0})',
]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def lab_notebooks() -> dict[str, str]:
    """Module 1 as committed (English and Korean), and a notebook of the price and cost tables; jupytext.toml
    too, so that JupyterLab writes a paired notebook's source as it does in notebooks/."""
    prices = nbformat.v4.new_notebook()
    prices.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    prices.cells = [nbformat.v4.new_markdown_cell(PRICES_CELLS[0])]
    prices.cells += [nbformat.v4.new_code_cell(source) for source in PRICES_CELLS[1:]]
    notebooks = REPO / "notebooks"
    committed = [notebooks / "01_first_lambda.ipynb", *notebooks.glob("jupytext.toml"), *notebooks.glob("ko/*.toml")]
    committed += [path for path in [notebooks / KOREAN] if path.exists()]  # missing: its test says so
    return {str(path.relative_to(notebooks)): path.read_text() for path in committed} | {
        "prices.ipynb": nbformat.writes(prices)
    }


# One notebook's panel, found by its tab's label and, as two notebooks may have one name, the path its tab's
# caption names ("Name: ...\nPath: ko/01_first_lambda.ipynb ..."; other notebooks may be open in hidden tabs),
# and what it shows.
STATE_JS = r"""
const path = arguments[0], label = path.split('/').pop();
const tab = [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]
  .find(t => t.querySelector('.lm-TabBar-tabLabel')?.textContent === label
             && (t.title || '').includes(`Path: ${path}\n`));
const panel = tab && document.getElementById(tab.dataset.id);
if (!panel) return null;
const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
const where = e => `cell ${cells.indexOf(e.closest('.jp-Cell')) + 1}`;
// The text around typeset math, each formula put back between the dollars it was typeset from.
const asTyped = block => {
  const copy = block.cloneNode(true);
  copy.querySelectorAll('mjx-container')
    .forEach(m => m.replaceWith(`$${m.querySelector('mjx-assistive-mml')?.textContent}$`));
  return copy.textContent.trim();
};
return {
  cells: cells.length,
  prompts: [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim()),
  status: panel.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status,
  kernel: panel.querySelector('.jp-Toolbar-kernelName')?.textContent.trim(),
  dirty: tab.classList.contains('jp-mod-dirty'),
  plots: panel.querySelectorAll('.js-plotly-plot').length,
  markdown: [...panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].map(m => m.textContent.trim()),
  figure_titles: [...panel.querySelectorAll('.js-plotly-plot .gtitle')].map(t => t.textContent.trim()),
  math: [...panel.querySelectorAll('mjx-container, .MathJax')]
    .map(m => `${where(m)}: ${asTyped(m.closest('p, li, td, th, h1, h2, h3, h4, pre') || m.parentElement)}`),
  errors: [...panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .filter(o => /Traceback|^\w*(Error|Exception|Failed)\b.*:/m.test(o.textContent))
    .map(o => `${where(o)}: ${o.textContent.trim().split('\n').slice(-1)[0]}`),
};
"""


def state(driver: webdriver.Chrome, name: str) -> dict[str, Any] | None:
    return driver.execute_script(STATE_JS, name)


def click_menu(driver: webdriver.Chrome, menu: str, item: str) -> None:
    """As a person does it: the menu bar entry, then the enabled item with that label."""
    driver.find_element(By.XPATH, f"//div[contains(@class, 'lm-MenuBar-itemLabel') and text()='{menu}']").click()
    xpath = (
        "//li[contains(@class, 'lm-Menu-item') and not(contains(@class, 'lm-mod-disabled'))]"
        f"/div[contains(@class, 'lm-Menu-itemLabel') and text()='{item}']"
    )
    wait_for(f"the {menu} menu offering '{item}'", lambda: driver.find_elements(By.XPATH, xpath), 10)[0].click()


def opened(shown: dict[str, Any] | None, cell_count: int) -> bool:
    # Until its session starts the toolbar says "No Kernel" next to an idle status, and Run All does nothing.
    return bool(shown) and shown["cells"] == cell_count and shown["kernel"] != "No Kernel" and shown["status"] == "idle"


def ran_all(shown: dict[str, Any] | None) -> bool:
    # Queued cells show [*] until they finish, and a cell after a failing one is left empty, never queued.
    done = bool(shown) and shown["status"] == "idle" and "[*]:" not in shown["prompts"]
    return done and any(re.fullmatch(r"\[\d+\]:", prompt) for prompt in shown["prompts"])


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """The whole notebook in one picture: the window grows until the notebook's scroll area holds its content."""
    # Not the scroll height: JupyterLab pads the end by a share of the window, so it grows with the window.
    measure = r"""
      const outer = [...document.querySelectorAll('.jp-WindowedPanel-outer')].find(o => o.offsetParent);
      const last = [...outer.querySelectorAll('.jp-Cell')].pop();
      outer.scrollTop = 0;
      const content = last.getBoundingClientRect().bottom - outer.getBoundingClientRect().top;
      return Math.ceil(window.innerHeight - outer.clientHeight + content + 40);"""
    for _ in range(6):
        needed = driver.execute_script(measure)
        inner, outer = driver.execute_script("return [window.innerHeight, window.outerHeight]")
        if needed <= inner or inner >= TALLEST_SCREENSHOT:
            break
        # Cells off screen are laid out at an estimated height until shown, so measure again after growing.
        driver.set_window_size(WINDOW[0], min(TALLEST_SCREENSHOT, needed + outer - inner))
    driver.execute_script(measure)
    path = OUT / f"{Path(name).with_suffix('').as_posix().replace('/', '-')}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(*WINDOW)
    return path


def run_all(driver: webdriver.Chrome, lab: Lab, name: str) -> nbformat.NotebookNode:
    """Open the notebook, Run All Cells from the menu, wait until the kernel is done, save; what was saved."""
    if not (LAB_DIR / name).exists():
        pytest.fail(f"notebooks/{name} is missing")
    cell_count = len(nbformat.read(LAB_DIR / name, as_version=4).cells)
    driver.set_window_size(*WINDOW)
    driver.get(f"{lab.base}/lab/tree/{name}?token={lab.token}")
    shows = lambda: f"JupyterLab shows: {state(driver, name)}"  # noqa: E731
    wait_for(f"{name} open with an idle kernel", lambda: opened(state(driver, name), cell_count), 120, shows)
    click_menu(driver, "Run", "Run All Cells")
    wait_for(f"{name} running all its cells", lambda: ran_all(state(driver, name)), 480, shows)
    click_menu(driver, "File", "Save Notebook")
    wait_for(f"{name} saved", lambda: not state(driver, name)["dirty"], 60, shows)
    return nbformat.read(LAB_DIR / name, as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_in_jupyterlab_draws_figures_and_shows_no_math_or_errors(browser: webdriver.Chrome, lab: Lab, name):
    saved = run_all(browser, lab, name)
    outputs = [(i, out) for i, cell in enumerate(saved.cells, 1) if cell.cell_type == "code" for out in cell.outputs]
    figures = sum(PLOTLY_MIME in out.get("data", {}) for _, out in outputs)
    # plotly draws after the output arrives; a figure that fails to draw never gets its plot.
    poll(lambda: state(browser, name)["plots"] >= figures, 30)
    print(f"screenshot: {screenshot(browser, name)}")
    shown = state(browser, name)

    problems = []
    if figures == 0 or shown["plots"] != figures:
        console = [entry["message"][:300] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        problems.append(f"{figures} plotly figure outputs, {shown['plots']} drawn; browser console errors: {console}")
    if shown["math"]:
        # JupyterLab typesets two $ in one paragraph or table cell even when each is written \$ (not \\$).
        problems.append("typeset as math (two $ signs in one paragraph or cell):\n  " + "\n  ".join(shown["math"]))
    if shown["errors"]:
        problems.append("error outputs shown:\n  " + "\n  ".join(shown["errors"]))
    if errors := [f"cell {i}: {out.ename}: {out.evalue}" for i, out in outputs if out.output_type == "error"]:
        problems.append("error outputs saved:\n  " + "\n  ".join(errors))
    code_cells = sum(cell.cell_type == "code" for cell in saved.cells)
    if (numbered := sum(bool(re.fullmatch(r"\[\d+\]:", p)) for p in shown["prompts"])) != code_cells:
        problems.append(f"{numbered} of {code_cells} code cells ran; prompts: {shown['prompts']}")
    if name == KOREAN:
        problems += korean_problems(shown, saved)
    assert not problems, f"{name} in JupyterLab:\n" + "\n".join(problems)


def korean_problems(shown: dict[str, Any], saved: nbformat.NotebookNode) -> list[str]:
    """What keeps a Korean notebook from reading in Korean: markdown rendered without Hangul, figures whose title
    (drawn, and in the saved figure) has none (the helpers used their English catalog), no font for Korean."""
    problems = []
    if untranslated := [text[:60] for text in shown["markdown"] if not HANGUL.search(text)]:
        problems.append(f"markdown rendered without Hangul: {untranslated}")
    if not shown["figure_titles"] or not all(HANGUL.search(title) for title in shown["figure_titles"]):
        problems.append(f"figure titles drawn without Hangul: {shown['figure_titles']}")
    saved_titles = [
        _title(out["data"][PLOTLY_MIME].get("layout", {}).get("title"))
        for cell in saved.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if PLOTLY_MIME in out.get("data", {})
    ]
    if not saved_titles or not all(HANGUL.search(title) for title in saved_titles):
        problems.append(f"figure titles saved without Hangul: {saved_titles}")
    # Chromium draws Hangul only with a font that has it; without one the screenshot shows empty boxes (tofu).
    fonts = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True).stdout
    if not fonts.strip():
        problems.append("no font for Korean (fc-list :lang=ko is empty): 'make browser' installs fonts-noto-cjk")
    return problems


def _title(title: Any) -> str:
    """A plotly layout title, written as a string or as ``{"text": ...}``."""
    return str((title.get("text") if isinstance(title, dict) else title) or "")
