# The production image: Airflow 3.3.2 plus this package's pinned requirements.
# docker-compose.yaml builds it for every Airflow component and for the sandboxes.
FROM apache/airflow:3.3.2-python3.11

# Node.js: the NetSuite sandbox service runs the SuiteScript RESTlets (include/netsuite/) under it
USER root
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs && rm -rf /var/lib/apt/lists/*
USER airflow

COPY --chown=airflow:0 requirements.txt constraints.txt /opt/mns/
RUN pip install --no-cache-dir "apache-airflow==3.3.2" -r /opt/mns/requirements.txt -c /opt/mns/constraints.txt

COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 plugins/ /opt/airflow/plugins/
COPY --chown=airflow:0 include/ /opt/airflow/include/

ENV PYTHONPATH=/opt/airflow/plugins:/opt/airflow
