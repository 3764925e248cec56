"""DAG tests (standard library only). Run from the repo root: python3 -m unittest discover -s airflow/tests -v"""
