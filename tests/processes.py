"""Stopping what a test, the CI smoke run or a bench started in its own process group."""

import os
import signal
import subprocess


def stop_group(process, *, timeout=30):
    """SIGTERM the process and its children, then SIGKILL them if they are still there after
    `timeout` seconds. Nothing happens to a process that has already exited."""
    if process is None:
        return
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
