"""The ceiling for benchmarks/bench_load.py: a bare Flask "hello" page under the same gunicorn settings as the app."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
