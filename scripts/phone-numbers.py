#!/usr/bin/env python3
"""The app's own numbers, measured on the desktop build in a real window (Xvfb):

- time from clicking "Show QR code" to the first screen a QR decoder (zbarimg) reads;
- CPU while a code shows, for the app process and its web view;
- memory (resident and proportional set size) of the same processes;
- the size of the release binary, as built and stripped.

Usage (from the repository root, after `scripts/test.sh` installed Xvfb, xdotool,
ImageMagick, zbar-tools and tesseract):

    cargo build --release -p gashapay-app
    scripts/phone-numbers.py [--app target/release/gashapay-app] [--cpu-seconds 30]

The desktop build runs the demo backend in its own process, so the app figures include
it: a phone build (no demo) does less. Results go to standard output as a table for
docs/BENCHMARKS.md.
"""

import argparse
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def start_xvfb():
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1024x800x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    number = xvfb.stdout.readline().strip()
    return xvfb, f":{number}"


def screenshot(display, path):
    subprocess.run(["import", "-display", display, "-window", "root", str(path)], check=True)


def words(display, workdir):
    """Every word tesseract reads on screen, with its centre."""
    shot = workdir / "ocr.png"
    big = workdir / "ocr-big.png"
    screenshot(display, shot)
    found = []
    passes = [(scale, threshold) for scale in (3, 2) for threshold in ([], ["-threshold", "50%"], ["-threshold", "35%"])]
    for scale, threshold in passes:
        subprocess.run(
            ["convert", str(shot), "-resize", f"{scale * 100}%", "-colorspace", "Gray", *threshold, str(big)],
            check=True,
        )
        tsv = subprocess.run(
            ["tesseract", str(big), "-", "--psm", "11", "tsv"],
            capture_output=True,
            text=True,
        ).stdout
        for line in tsv.splitlines()[1:]:
            f = line.split("\t")
            if len(f) < 12 or not f[11].strip():
                continue
            x, y, w, h = (int(v) // scale for v in f[6:10])
            found.append((f[11].strip(), x + w // 2, y + h // 2))
    return found


def wait_for_word(display, workdir, word, pick=min, timeout=90):
    """The centre of `word` on screen (the highest, or `pick=max` the lowest)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        matches = [(y, x) for text, x, y in words(display, workdir) if text == word]
        if matches:
            y, x = pick(matches)
            return x, y
        time.sleep(0.5)
    sys.exit(f"'{word}' never appeared on screen")


def click(display, x, y):
    subprocess.run(
        ["xdotool", "mousemove", str(x), str(y), "click", "1"],
        env={**os.environ, "DISPLAY": display},
        check=True,
    )


def decodes(path):
    out = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True)
    return out.stdout.strip().startswith("GP1:")


class XImage(ctypes.Structure):
    """The head of Xlib's XImage, up to what a capture reads."""

    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.POINTER(ctypes.c_char)),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


class Grabber:
    """Frames of the phone's part of the screen, straight from the X server (Xlib's
    XGetImage, no process per frame): a few milliseconds each."""

    ZPIXMAP = 2

    def __init__(self, display, width=420, height=760):
        self.x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11"))
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x11.XGetImage.restype = ctypes.POINTER(XImage)
        self.x11.XGetImage.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int,
        ]
        self.x11.XFree.argtypes = [ctypes.c_void_p]
        self.display = self.x11.XOpenDisplay(display.encode())
        if not self.display:
            sys.exit(f"cannot open display {display}")
        self.root = self.x11.XDefaultRootWindow(self.display)
        self.width, self.height = width, height
        self.xtest = ctypes.cdll.LoadLibrary(ctypes.util.find_library("Xtst"))
        self.xtest.XTestFakeButtonEvent.argtypes = [
            ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong,
        ]
        self.x11.XFlush.argtypes = [ctypes.c_void_p]

    def click(self):
        """A left click where the mouse is, sent now (XTest), not after a process
        starts."""
        self.xtest.XTestFakeButtonEvent(self.display, 1, True, 0)
        self.xtest.XTestFakeButtonEvent(self.display, 1, False, 0)
        self.x11.XFlush(self.display)

    def grab(self):
        """The frame's pixels, 4 bytes each (blue, green, red, unused)."""
        image = self.x11.XGetImage(
            self.display, self.root, 0, 0, self.width, self.height, 0xFFFFFFFF, self.ZPIXMAP
        )
        size = image.contents.bytes_per_line * image.contents.height
        pixels = ctypes.string_at(image.contents.data, size)
        self.x11.XFree(image.contents.data)
        self.x11.XFree(image)
        return pixels

    def save(self, pixels, path):
        raw = path.with_suffix(".bgra")
        raw.write_bytes(pixels)
        subprocess.run(
            ["convert", "-size", f"{self.width}x{self.height}", "-depth", "8",
             f"bgra:{raw}", "-alpha", "off", str(path)],
            check=True,
        )
        raw.unlink()


def show_code_latency(display, workdir, button, grabber):
    """Milliseconds from the click to the first frame with a decodable code: frames are
    taken back to back, so the answer is a range (the last frame without a code was
    taken before it, the first with one after)."""
    frames = []
    mouse_x, mouse_y = button
    subprocess.run(
        ["xdotool", "mousemove", str(mouse_x), str(mouse_y)],
        env={**os.environ, "DISPLAY": display},
        check=True,
    )
    grabber.click()
    clicked = time.monotonic()
    while time.monotonic() - clicked < 1.0:
        frames.append((time.monotonic(), grabber.grab()))
        # Leave the app the CPU it needs to draw: a frame every 5 ms or so.
        time.sleep(0.003)
    previous = clicked
    for index, (taken, pixels) in enumerate(frames):
        path = workdir / f"frame-{index:03}.png"
        grabber.save(pixels, path)
        if decodes(path):
            return (previous - clicked) * 1000, (taken - clicked) * 1000, len(frames)
        previous = taken
    sys.exit("no frame within 1 s of the click held a decodable code")


def descendants(pid):
    """`pid` and every process under it (the web view and network processes)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def name(pid):
    return Path(f"/proc/{pid}/comm").read_text().strip()


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_shares(processes, seconds):
    """Each process's CPU over the next `seconds`, in percent of one core."""
    before = {pid: cpu_ticks(pid) for pid in processes}
    time.sleep(seconds)
    return {
        pid: (cpu_ticks(pid) - ticks) / CLOCK_TICKS / seconds * 100
        for pid, ticks in before.items()
        if Path(f"/proc/{pid}").exists()
    }


def memory_kib(pid):
    rss = pss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
    return rss, pss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", default="target/release/gashapay-app")
    parser.add_argument("--cpu-seconds", type=float, default=30.0)
    parser.add_argument("--latency-runs", type=int, default=5)
    args = parser.parse_args()
    app_path = Path(args.app)
    if not app_path.exists():
        sys.exit(f"{app_path} is missing: cargo build --release -p gashapay-app")

    workdir = Path(tempfile.mkdtemp(prefix="gashapay-numbers-"))
    print(f"working in {workdir}", file=sys.stderr)
    xvfb, display = start_xvfb()
    app = subprocess.Popen(
        [str(app_path)],
        env={
            **os.environ,
            "DISPLAY": display,
            "GASHAPAY_DATA_DIR": str(workdir / "data"),
            "LC_ALL": "en_US.UTF-8",
            "GASHAPAY_DEMO_OUTCOME_TIMEOUT_SECS": "600",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in app.stdout:
            if line.startswith("GASHAPAY_DEMO_DATABASE="):
                break
        wait_for_word(display, workdir, "balance")
        time.sleep(5)
        idle = cpu_shares(descendants(app.pid), args.cpu_seconds)
        grabber = Grabber(display)
        latencies = []
        for _ in range(args.latency_runs):
            play_tab = wait_for_word(display, workdir, "Play", pick=max)
            click(display, *play_tab)
            show = wait_for_word(display, workdir, "Show")
            latencies.append(show_code_latency(display, workdir, show, grabber))
            # Back to a fresh choice: cancel the code (below the code: scroll to it).
            subprocess.run(
                ["xdotool", "mousemove", "200", "400", "click", "--repeat", "5", "5"],
                env={**os.environ, "DISPLAY": display},
                check=True,
            )
            cancel = wait_for_word(display, workdir, "Cancel", timeout=20)
            click(display, *cancel)
            time.sleep(1)

        # A code on screen, for the CPU and memory figures.
        click(display, *wait_for_word(display, workdir, "Play", pick=max))
        click(display, *wait_for_word(display, workdir, "Show"))
        wait_for_word(display, workdir, "expires")
        showing = cpu_shares(descendants(app.pid), args.cpu_seconds)
        memory = {pid: memory_kib(pid) for pid in showing}

        print("| measure | value |")
        print("|---|---|")
        for low, high, frames in latencies:
            print(
                f"| click → decodable code | between {low:.0f} and {high:.0f} ms "
                f"({frames} frames in 1 s) |"
            )
        for what, shares in (("on the home screen, idle", idle), ("while a code shows", showing)):
            for pid, share in shares.items():
                print(f"| CPU {what}, {name(pid)} | {share:.1f}% of a core |")
            print(f"| CPU {what}, all | {sum(shares.values()):.1f}% of a core |")
        for pid, (rss, pss) in memory.items():
            print(f"| memory, {name(pid)} | RSS {rss / 1024:.0f} MiB, PSS {pss / 1024:.0f} MiB |")
        stripped = workdir / "stripped"
        shutil.copy(app_path, stripped)
        subprocess.run(["strip", str(stripped)], check=True)
        print(
            f"| release binary | {app_path.stat().st_size / 2**20:.1f} MiB, "
            f"stripped {stripped.stat().st_size / 2**20:.1f} MiB |"
        )
    finally:
        app.kill()
        xvfb.kill()
        if not os.environ.get("KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
