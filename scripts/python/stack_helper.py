"""Creates StepConf's local stack on moto from template.yaml, as `sam deploy` would on AWS: reads the request (JSON on
stdin: template, bundle, endpoint, region, stack name, parameters), packages the bundle and the state machines into
moto's S3, translates the template with aws-sam-translator, creates the stack through CloudFormation, covers what
moto 5.2 cannot create, and prints the stack's outputs, functions and state machines as one JSON object on stdout.
Progress and failures go to stderr. Run by `stepconf local up` (python3 -I, from the stack's directory).

Creates the stack from a SAM template on moto, as `sam package` + `sam deploy` would on AWS: every local
`CodeUri` becomes one zip of the bundle in the artifacts bucket (sam packages each function's artifact, and
ours are all the same bundle, so one object serves all) and every `DefinitionUri` an uploaded file; the
template is translated by aws-sam-translator (the library CloudFormation's transform and `sam validate` use)
and created through CloudFormation's CreateStack with a TemplateURL.

moto 5.2 cannot create some of what the translated template asks for; each gap is covered so the result is
what AWS would hold, and reported (`covered`):
- `AWS::StepFunctions::StateMachine`: moto reads only `DefinitionString`. `DefinitionS3Location` +
  `DefinitionSubstitutions` become a `DefinitionString` that joins the definition's pieces with the
  substitutions' values (`Fn::Join`), the same text CloudFormation would make (moto's `Fn::Sub` would turn
  the `$$` of context paths into `$`);
- `AWS::DynamoDB::Table` `TimeToLiveSpecification` and `AWS::S3::Bucket` `PublicAccessBlockConfiguration` and
  `LifecycleConfiguration` are ignored by moto: applied through the DynamoDB and S3 APIs once the stack exists.

A stack that fails to create is deleted again and its failed events printed (resource, type, reason).
"""
import hashlib, io, json, os, sys, time, zipfile
import boto3, botocore
from samtranslator.translator.transform import transform
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.yaml_helper import yaml_parse

def say(line):
    print(line, file=sys.stderr, flush=True)

def fail(message):
    say(message)
    sys.exit(1)

request = json.load(sys.stdin)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ["AWS_DEFAULT_REGION"] = request["region"]
options = dict(endpoint_url=request["endpoint"], region_name=request["region"])
s3, cfn, lam = (boto3.client(name, **options) for name in ("s3", "cloudformation", "lambda"))
ddb, iam = boto3.client("dynamodb", **options), boto3.client("iam", **options)
bucket, stack = request["artifacts_bucket"], request["stack"]
base = os.path.dirname(os.path.abspath(request["template"]))

try:
    with open(request["template"]) as f:
        template = yaml_parse(f.read())
except Exception as error:
    fail(f"{request['template']}: not a readable SAM template: {error}")
if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
    fail(f"{request['template']}: not a template (no Resources)")

s3.create_bucket(Bucket=bucket)

def upload(data, suffix):
    key = hashlib.md5(data).hexdigest() + suffix
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    return key

def local(uri):
    return isinstance(uri, str) and not uri.startswith("s3://")

# sam package: each function's artifact is the bundle (deploy/Makefile copies it whole), zipped.
code = None
def package_code():
    global code
    if code is None:
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
            for folder, _, files in os.walk(request["bundle"]):
                for name in sorted(files):
                    path = os.path.join(folder, name)
                    info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, request["bundle"]))
                    with open(path, "rb") as f:
                        archive.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
        code = "s3://%s/%s" % (bucket, upload(data.getvalue(), ".zip"))
        say("packaged %s as %s (%.1f MB)" % (request["bundle"], code, len(data.getvalue()) / 1e6))
    return code

globals_function = template.get("Globals", {}).get("Function", {})
if local(globals_function.get("CodeUri")):
    globals_function["CodeUri"] = package_code()
for name, resource in template["Resources"].items():
    properties = resource.get("Properties") or {}
    if resource.get("Type") == "AWS::Serverless::Function" and local(properties.get("CodeUri")):
        properties["CodeUri"] = package_code()
    if resource.get("Type") == "AWS::Serverless::StateMachine" and local(properties.get("DefinitionUri")):
        path = os.path.join(base, properties["DefinitionUri"])
        try:
            with open(path, "rb") as f:
                properties["DefinitionUri"] = {"Bucket": bucket, "Key": upload(f.read(), ".asl.json")}
        except OSError as error:
            fail(f"{name}: DefinitionUri {path}: {error.strerror}")

declared = template.get("Parameters", {})
parameters = {k: v for k, v in request["parameters"].items() if k in declared}
try:
    translated = transform(template, parameters, ManagedPolicyLoader(iam))
except Exception as error:
    fail(f"{request['template']}: the SAM transform refused it: {error}")

covered = []
for name, resource in translated["Resources"].items():
    properties = resource.get("Properties", {})
    if resource["Type"] == "AWS::StepFunctions::StateMachine" and "DefinitionS3Location" in properties:
        location = properties.pop("DefinitionS3Location")
        definition = s3.get_object(Bucket=location["Bucket"], Key=location["Key"])["Body"].read().decode()
        substitutions = properties.pop("DefinitionSubstitutions", {})
        # CloudFormation replaces ${key} for the substitutions' keys and leaves everything else as written.
        # Fn::Join does exactly that on moto; its Fn::Sub would also eat the "$$" of context paths.
        parts, at = [], 0
        while (start := definition.find("${", at)) >= 0:
            end = definition.find("}", start)
            if end < 0:
                break
            variable = definition[start + 2:end]
            if variable in substitutions:
                parts += [definition[at:start], substitutions[variable]]
            else:
                parts.append(definition[at:end + 1])
            at = end + 1
        parts.append(definition[at:])
        properties["DefinitionString"] = {"Fn::Join": ["", parts]}
        covered.append(f"{name}: DefinitionS3Location + DefinitionSubstitutions as DefinitionString (Fn::Join)")

key = upload(json.dumps(translated).encode(), ".template.json")
url = "https://s3.%s.amazonaws.com/%s/%s" % (request["region"], bucket, key)
say("creating stack %s: %d resources" % (stack, len(translated["Resources"])))

def events():
    try:
        return cfn.describe_stack_events(StackName=stack)["StackEvents"]
    except botocore.exceptions.ClientError:
        return []

def give_up(reason):
    say(f"stack {stack} failed: {reason}")
    for event in events():
        if event["ResourceStatus"].endswith("FAILED"):
            say("  %s (%s): %s %s" % (event["LogicalResourceId"], event.get("ResourceType", "?"),
                                      event["ResourceStatus"], event.get("ResourceStatusReason", "")))
    try:
        cfn.delete_stack(StackName=stack)
        say(f"the stack was deleted again: nothing of it is left on moto")
    except botocore.exceptions.ClientError as error:
        say(f"the stack could not be deleted ({error}): it is left half-created on moto")
    sys.exit(1)

try:
    cfn.create_stack(StackName=stack, TemplateURL=url, Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
    deadline = time.time() + 300
    while (status := cfn.describe_stacks(StackName=stack)["Stacks"][0])["StackStatus"].endswith("IN_PROGRESS"):
        if time.time() > deadline:
            give_up("still %s after 300 s" % status["StackStatus"])
        time.sleep(0.2)
except botocore.exceptions.ClientError as error:
    give_up(str(error))
except Exception as error:
    # moto answers some failures with a JSON body where CloudFormation's XML is expected: keep its message.
    text = str(error)
    if (at := text.find('"message": "')) >= 0:
        text = text[at + 12:].rsplit('"}', 1)[0]
        for _ in range(2):
            text = text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    give_up(text[:2000])
if status["StackStatus"] != "CREATE_COMPLETE":
    give_up("%s %s" % (status["StackStatus"], status.get("StackStatusReason", "")))

physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}

# What moto ignores, applied through the services' APIs.
for name, resource in translated["Resources"].items():
    properties, target = resource.get("Properties", {}), physical.get(name)
    if resource["Type"] == "AWS::DynamoDB::Table" and "TimeToLiveSpecification" in properties:
        ttl = properties["TimeToLiveSpecification"]
        state = ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]["TimeToLiveStatus"]
        if ttl.get("Enabled") and state == "DISABLED":
            ddb.update_time_to_live(TableName=target, TimeToLiveSpecification=ttl)
            covered.append(f"{name}: TimeToLiveSpecification through UpdateTimeToLive")
    if resource["Type"] == "AWS::S3::Bucket":
        block = properties.get("PublicAccessBlockConfiguration")
        if block:
            try:
                s3.get_public_access_block(Bucket=target)
            except botocore.exceptions.ClientError:
                s3.put_public_access_block(Bucket=target, PublicAccessBlockConfiguration=block)
                covered.append(f"{name}: PublicAccessBlockConfiguration through PutPublicAccessBlock")
        lifecycle = properties.get("LifecycleConfiguration")
        if lifecycle:
            try:
                s3.get_bucket_lifecycle_configuration(Bucket=target)
            except botocore.exceptions.ClientError:
                rules = []
                for rule in lifecycle.get("Rules", []):
                    api = {"ID": rule.get("Id", "rule"), "Status": rule["Status"],
                           "Filter": {"Prefix": rule.get("Prefix", "")}}
                    if "ExpirationInDays" in rule:
                        api["Expiration"] = {"Days": rule["ExpirationInDays"]}
                    rules.append(api)
                s3.put_bucket_lifecycle_configuration(Bucket=target, LifecycleConfiguration={"Rules": rules})
                covered.append(f"{name}: LifecycleConfiguration through PutBucketLifecycleConfiguration")

functions, machines = [], {}
for name, resource in translated["Resources"].items():
    if resource["Type"] == "AWS::Lambda::Function":
        c = lam.get_function_configuration(FunctionName=physical[name])
        functions.append({"name": c["FunctionName"], "handler": c["Handler"], "memory_mb": c["MemorySize"],
                          "timeout_s": c["Timeout"],
                          "environment": c.get("Environment", {}).get("Variables", {})})
    if resource["Type"] == "AWS::StepFunctions::StateMachine":
        arn = physical[name]
        machines[arn.rsplit(":", 1)[-1]] = arn
print(json.dumps({"outputs": {o["OutputKey"]: o["OutputValue"] for o in status.get("Outputs", [])},
                  "functions": functions, "state_machines": machines, "covered": covered,
                  "resources": len(physical)}))
