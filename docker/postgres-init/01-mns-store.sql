-- The package's own store (error queue, snapshots, alert dedup) lives beside Airflow's metadata DB,
-- never inside it.
CREATE DATABASE mns OWNER airflow;
