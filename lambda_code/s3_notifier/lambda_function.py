"""Module 1: tell someone by email when a file lands in the bucket.

S3 calls this function for every new object; the function publishes a short message to an SNS
topic, and SNS emails everyone subscribed to it.

Environment variable set at deploy time:
  TOPIC_ARN  the SNS topic to publish to
"""

import os
import urllib.parse

import boto3

sns = boto3.client("sns")


def lambda_handler(event, context):
    sent = 0
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # S3 URL-encodes object keys in events ("my file.txt" arrives as "my+file.txt").
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        size = record["s3"]["object"].get("size", 0)
        sns.publish(
            TopicArn=os.environ["TOPIC_ARN"],
            Subject=f"New upload: {key}"[:100],
            Message=f"A file was uploaded to bucket {bucket}.\n\nKey: {key}\nSize: {size} bytes\n",
        )
        print(f"notified about s3://{bucket}/{key} ({size} bytes)")
        sent += 1
    return {"notified": sent}
