"""The outside contract as pydantic models: what clients send and what they are answered.

The API validates requests and documents answers with them, the web pages validate their forms
with the same models, and the services build their answers as them. The package imports
nothing of labelsvc but `labelsvc.errors`, so every layer may use it.
"""
