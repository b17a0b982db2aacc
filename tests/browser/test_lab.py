"""A student's view: open each notebook with a widget in JupyterLab, run it, use the controls.

For every notebook: Run All Cells, wait until the kernel is idle and every cell has run, assert
no cell shows an error, then change each main widget's controls the way a user would (arrow key on
a slider, a drop-down choice, a check box, a button) and assert that the picture in the widget
really changed (the decoded images differ) and that still no error appears. A screenshot of each
notebook after the interaction is saved in tests/browser/artifacts/.
"""
import base64
import io
import re
import time

import numpy as np
import pytest
from PIL import Image

# (control kind, label, value): "slider" presses ArrowRight once; "dropdown" selects the value;
# "checkbox" clicks; "button" clicks and waits for the status text given as value. After each,
# the widget's picture must change (the Playground's only after Train).
SCENARIOS = {
    "01-the-neuron.ipynb": [("slider", "w1", None), ("dropdown", "activation", "tanh")],
    "02-activation-functions.ipynb": [("dropdown", "activation", "relu"), ("slider", "b", None)],
    "03-network-structure.ipynb": [("slider", "hidden 2", None), ("checkbox", "biases", None)],
    "04-losses-and-softmax.ipynb": [("slider", "z1", None), ("dropdown", "true class", "class 2")],
    "07-training.ipynb": [("button", "Train", "done:"), ("slider", "units", None),
                          ("button", "Train", "done:")],
    "08-regularization-and-normalization.ipynb": [("slider", "dropout p", None),
                                                  ("checkbox", "batch norm", None),
                                                  ("dropdown", "when", "before training"),
                                                  ("dropdown", "optimiser", "Adam"), ("slider", "lr", None)],
    "09-convolution.ipynb": [("dropdown", "kernel", "blur"), ("slider", "stride", None)],
    "10-cnn.ipynb": [("slider", "shift right", None), ("slider", "test digit", None)],
    "11-recurrent-networks.ipynb": [("slider", "Wh scale", None)],
    "12-embeddings.ipynb": [("slider", "temperature", None)],
    "13-encoder-decoder.ipynb": [("slider", "z1", None), ("slider", "z2", None)],
    "14-gan.ipynb": [("slider", "snapshot", None)],
}
RUN_TIMEOUT = 180_000  # ms: notebook 07 trains several networks


def decode(src):
    """The pixels of a data:image/png URL, as an array."""
    data = base64.b64decode(src.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def notebook_path(notebook):
    """A fresh Lab workspace per notebook, so no tab from an earlier test is restored beside it
    (the menus act on the active tab)."""
    return f"lab/workspaces/{notebook.removesuffix('.ipynb')}/tree/notebooks/{notebook}"


def menu(page, top, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).first.click()


def run_all(page, timeout=RUN_TIMEOUT):
    """Clear the stored outputs, Run All Cells, and wait until every code cell has run."""
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    page.get_by_text("| Idle").wait_for(timeout=120_000)  # the kernel has started
    menu(page, "Edit", "Clear Outputs of All Cells")
    prompts = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt")
    deadline = time.monotonic() + 30
    while any(re.search(r"\d", p) for p in prompts.all_inner_texts()):  # "[ ]" everywhere
        if time.monotonic() > deadline:
            pytest.fail("the stored outputs were not cleared")
        time.sleep(0.2)
    menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:  # every prompt shows a number: every cell has run
        texts = prompts.all_inner_texts()
        if texts and all(re.search(r"\[\d+\]", p) for p in texts):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the notebook did not finish running in time")
    page.get_by_text("| Idle").wait_for(timeout=timeout)


def assert_no_errors(page, where):
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
    if errors.count():
        pytest.fail(f"{where}: a cell shows an error: {errors.first.inner_text()[:500]}")


def control(page, scope, kind, exact):
    """The control of ``kind`` labelled ``exact`` (a regex) inside ``scope``."""
    if kind == "button":
        return scope.locator("button.widget-button", has_text=exact)
    if kind == "checkbox":  # ipywidgets 8 puts a check box's description in its own label
        return scope.locator(".widget-checkbox", has=page.locator("label", has_text=exact))
    return scope.locator(f".widget-{kind}", has=page.locator("label.widget-label", has_text=exact))


def widget_cell(page, kind, label):
    """The code cell holding the control; and the label as an exact-match regex."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return page.locator(".jp-CodeCell", has=control(page, page, kind, exact)).first, exact


def picture(cell, wait=True):
    """The last PNG the cell's widget shows (an Explorer's figure, the Playground's result),
    or None when it shows none yet (the Playground before its first run)."""
    img = cell.locator('.widget-output img[src^="data:image/png"]').last
    if wait:
        img.wait_for(timeout=30_000)
    elif not img.count():
        return None
    return img.get_attribute("src")


def act(page, cell, exact, kind, value):
    widget = control(page, cell, kind, exact)
    if kind == "slider":
        move_slider(widget, "ArrowRight")
    elif kind == "dropdown":
        widget.locator("select").select_option(label=value)
    elif kind == "checkbox":
        widget.locator('input[type="checkbox"]').click()
    elif kind == "button":
        press_and_wait(widget, cell.locator(".widget-html").first, value)
    else:
        raise ValueError(kind)


def move_slider(slider, key, times=1, timeout=10.0):
    """Press ``key`` on the slider's handle and wait until its readout shows the new value;
    then give the frontend a moment to send the value to the kernel (a click sent at once could
    overtake it)."""
    handle = slider.locator('[role="slider"]').first
    readout = slider.locator(".widget-readout").first
    for _ in range(times):
        old = readout.inner_text()
        handle.focus()
        handle.press(key)
        deadline = time.monotonic() + timeout
        while readout.inner_text() == old:
            if time.monotonic() > deadline:
                pytest.fail(f"the slider's readout stayed at {old!r} after {key}")
            time.sleep(0.1)
    time.sleep(0.5)


def press_and_wait(button, status, done, timeout=120.0):
    """Click ``button`` and wait until the ``status`` text is a NEW one containing ``done``
    (the text of the previous run would otherwise satisfy the wait at once)."""
    old = status.inner_text()
    button.click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = status.inner_text()
        if done in text and text != old:
            return text
        time.sleep(0.2)
    pytest.fail(f"no new {done!r} status after pressing the button (still {old!r})")


def wait_for_new_picture(cell, before, timeout=30.0):
    """Poll until the widget shows a picture whose pixels differ from ``before`` (any picture,
    when ``before`` is None)."""
    deadline = time.monotonic() + timeout
    old = None if before is None else decode(before)
    while time.monotonic() < deadline:
        src = picture(cell, wait=False)
        if src is not None and src != before:
            new = decode(src)
            if old is None or new.shape != old.shape or np.any(new != old):
                return src
        time.sleep(0.2)
    pytest.fail("the widget's figure did not change")


@pytest.mark.parametrize("notebook", list(SCENARIOS))
def test_notebook_runs_and_its_widgets_respond(lab, page, artifacts, notebook):
    page.goto(lab.url(notebook_path(notebook)))
    run_all(page)
    assert_no_errors(page, notebook)
    for kind, label, value in SCENARIOS[notebook]:
        cell, exact = widget_cell(page, kind, label)
        cell.scroll_into_view_if_needed()
        before = picture(cell, wait=kind != "button")
        act(page, cell, exact, kind, value)
        if kind == "slider" and notebook == "07-training.ipynb":
            continue  # the Playground redraws on Train, not on each control
        wait_for_new_picture(cell, before)
        assert_no_errors(page, f"{notebook} after changing {label!r}")
    cell.screenshot(path=str(artifacts / f"{notebook.removesuffix('.ipynb')}.png"))


def test_start_here_slider_updates_its_text(lab, page, artifacts):
    """Notebook 00's slider prints text rather than drawing: the printed value must change."""
    page.goto(lab.url(notebook_path("00-start-here.ipynb")))
    run_all(page)
    assert_no_errors(page, "00-start-here")
    cell = page.locator(".jp-CodeCell", has=page.locator("label.widget-label", has_text="x")).first
    cell.scroll_into_view_if_needed()
    shown = cell.locator(".widget-output")
    shown.get_by_text("sigmoid(+0.0) = 0.5000").wait_for(timeout=30_000)
    handle = cell.locator('[role="slider"]').first
    handle.focus()
    handle.press("ArrowRight")
    shown.get_by_text("sigmoid(+0.5) = 0.6225").wait_for(timeout=30_000)
    cell.screenshot(path=str(artifacts / "00-start-here.png"))
