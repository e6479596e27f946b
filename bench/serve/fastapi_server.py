"""The usual DIY deployment `hearth serve` is measured against: FastAPI + uvicorn + onnxruntime
serving the same exported ONNX file with TF Serving's `POST /v1/models/{name}:predict`
(`{"instances": [{column: value}, ...]}`), answering as `hearth serve` does.

Usage: uvicorn fastapi_server:app (MODEL_ONNX names the file)."""

import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

path = os.environ["MODEL_ONNX"]
meta = {p.key: p.value for p in onnx.load(path).metadata_props}
session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
inputs = [(i.name, i.type) for i in session.get_inputs()]
classes = json.loads(meta.get("class_names", "[]"))
app = FastAPI()


@app.post("/v1/models/{spec}")
async def predict(spec: str, request: Request):
    body = await request.json()
    instances = body.get("instances")
    if not instances:
        raise HTTPException(400, "the request has no rows")
    feeds = {}
    for name, kind in inputs:
        values = [row.get(name) for row in instances]
        if kind == "tensor(string)":
            feeds[name] = np.array(["" if v is None else str(v) for v in values], dtype=object).reshape(-1, 1)
        else:
            feeds[name] = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float32).reshape(-1, 1)
    outputs = session.run(None, feeds)
    if classes:
        labels, probabilities = outputs[0], outputs[1]
        predictions = [
            {"label": str(label), "probabilities": dict(zip(classes, map(float, row)))}
            for label, row in zip(labels, probabilities)
        ]
    else:
        predictions = [float(v) for v in np.ravel(outputs[0])]
    return JSONResponse({"predictions": predictions})
