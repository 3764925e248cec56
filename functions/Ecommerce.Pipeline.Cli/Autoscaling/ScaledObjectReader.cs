using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ecommerce.Pipeline.Cli.Autoscaling;

/// <summary>A ScaledObject the simulator cannot use: the message names the file and the field.</summary>
internal sealed class ScaledObjectException(string message) : Exception(message);

/// <summary>
/// Reads the scaling-relevant fields of a KEDA ScaledObject (keda.sh/v1alpha1) with a <c>kafka</c> trigger. Values are
/// checked the way KEDA checks them (kafka_scaler.go's parseKafkaMetadata, the ScaledObject webhook's min ≤ max), so a
/// file that KEDA would reject is rejected here too, with the field named.
/// </summary>
internal static class ScaledObjectReader
{
    public static ScaledObjectSettings Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such file", path, ex);
        }

        return Parse(text, path);
    }

    public static ScaledObjectSettings Parse(string yaml, string source = "<yaml>")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ScaledObjectException($"{source}: not valid YAML ({ex.Start.Line}:{ex.Start.Column}: {ex.Message})");
        }

        // A file may hold the TriggerAuthentication too (documents separated by ---): take the ScaledObject.
        var scaledObjects = stream.Documents
            .Select(d => d.RootNode as YamlMappingNode)
            .Where(m => m is not null && Scalar(m, "kind") == "ScaledObject")
            .Select(m => m!)
            .ToList();
        if (scaledObjects.Count != 1)
        {
            throw new ScaledObjectException(scaledObjects.Count == 0
                ? $"{source}: no document of kind ScaledObject"
                : $"{source}: {scaledObjects.Count} ScaledObjects; the simulator reads one");
        }

        var root = scaledObjects[0];
        var name = Child(root, "metadata") is YamlMappingNode meta ? Scalar(meta, "name") ?? "" : "";
        if (Child(root, "spec") is not YamlMappingNode spec)
        {
            throw new ScaledObjectException($"{source}: ScaledObject has no spec");
        }

        var context = new Context(source);
        var polling = context.Int(spec, "pollingInterval", ScaledObjectSettings.DefaultPollingIntervalSeconds, min: 1);
        var cooldown = context.Int(spec, "cooldownPeriod", ScaledObjectSettings.DefaultCooldownPeriodSeconds, min: 0);
        var minReplicas = context.Int(spec, "minReplicaCount", ScaledObjectSettings.DefaultMinReplicaCount, min: 0);
        var maxReplicas = context.Int(spec, "maxReplicaCount", ScaledObjectSettings.DefaultMaxReplicaCount, min: 1);
        if (minReplicas > maxReplicas)
        {
            throw new ScaledObjectException($"{source}: spec.minReplicaCount ({minReplicas}) is greater than spec.maxReplicaCount ({maxReplicas})");
        }

        var kafka = ReadKafkaTrigger(spec, context);
        var behavior = ReadBehavior(spec, context);
        return new ScaledObjectSettings(name, polling, cooldown, minReplicas, maxReplicas, kafka, behavior);
    }

    private static KafkaTriggerSettings ReadKafkaTrigger(YamlMappingNode spec, Context context)
    {
        var triggers = Child(spec, "triggers") as YamlSequenceNode;
        var kafkaTriggers = triggers?.Children.OfType<YamlMappingNode>().Where(t => Scalar(t, "type") == "kafka").ToList() ?? [];
        if (kafkaTriggers.Count == 0)
        {
            throw new ScaledObjectException($"{context.Source}: spec.triggers has no trigger of type kafka");
        }

        if (kafkaTriggers.Count > 1)
        {
            throw new ScaledObjectException($"{context.Source}: spec.triggers has {kafkaTriggers.Count} kafka triggers; the simulator models one");
        }

        var trigger = kafkaTriggers[0];
        var metadata = Child(trigger, "metadata") as YamlMappingNode;
        string? Meta(string key) => metadata is null ? null : Scalar(metadata, key);
        string Field(string key) => $"{context.Source}: kafka trigger metadata.{key}";

        long ParseLong(string key, long fallback, long min)
        {
            var text = Meta(key);
            if (text is null)
            {
                return fallback;
            }

            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw new ScaledObjectException($"{Field(key)}: '{text}' is not an integer");
            }

            if (value < min)
            {
                throw new ScaledObjectException($"{Field(key)}: {value} must be {(min == 1 ? "positive" : $">= {min}")}");
            }

            return value;
        }

        bool ParseBool(string key)
        {
            var text = Meta(key);
            if (text is null)
            {
                return false;
            }

            // Go's strconv.ParseBool, which KEDA uses.
            return text switch
            {
                "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
                "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
                _ => throw new ScaledObjectException($"{Field(key)}: '{text}' is not a boolean"),
            };
        }

        var settings = new KafkaTriggerSettings(
            ParseLong("lagThreshold", KafkaTriggerSettings.DefaultLagThreshold, min: 1),
            ParseLong("activationLagThreshold", KafkaTriggerSettings.DefaultActivationLagThreshold, min: 0),
            ParseBool("allowIdleConsumers"),
            ParseBool("limitToPartitionsWithLag"),
            ParseBool("ensureEvenDistributionOfPartitions"),
            Scalar(trigger, "useCachedMetrics") switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw new ScaledObjectException($"{context.Source}: kafka trigger useCachedMetrics: '{other}' is not true or false"),
            });

        // The same combinations KEDA refuses.
        if (settings.AllowIdleConsumers && settings.LimitToPartitionsWithLag)
        {
            throw new ScaledObjectException($"{context.Source}: kafka trigger: allowIdleConsumers and limitToPartitionsWithLag cannot be set together");
        }

        if (settings.LimitToPartitionsWithLag && settings.EnsureEvenDistributionOfPartitions)
        {
            throw new ScaledObjectException($"{context.Source}: kafka trigger: limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set together");
        }

        return settings;
    }

    private static HpaBehavior ReadBehavior(YamlMappingNode spec, Context context)
    {
        var behavior = Child(spec, "advanced") is YamlMappingNode advanced
                       && Child(advanced, "horizontalPodAutoscalerConfig") is YamlMappingNode hpa
            ? Child(hpa, "behavior") as YamlMappingNode
            : null;
        if (behavior is null)
        {
            return HpaBehavior.Default;
        }

        const string path = "spec.advanced.horizontalPodAutoscalerConfig.behavior";
        return new HpaBehavior(
            ReadRules(Child(behavior, "scaleUp") as YamlMappingNode, HpaScalingRules.DefaultScaleUp, $"{path}.scaleUp", context),
            ReadRules(Child(behavior, "scaleDown") as YamlMappingNode, HpaScalingRules.DefaultScaleDown, $"{path}.scaleDown", context));
    }

    /// <summary>Each field that is set replaces the default, as the API server's defaulting does (copyHPAScalingRules).</summary>
    private static HpaScalingRules ReadRules(YamlMappingNode? node, HpaScalingRules defaults, string path, Context context)
    {
        if (node is null)
        {
            return defaults;
        }

        var window = context.Int(node, "stabilizationWindowSeconds", defaults.StabilizationWindowSeconds, min: 0, max: 3600, path);
        var select = Scalar(node, "selectPolicy") switch
        {
            null => defaults.SelectPolicy,
            "Max" => SelectPolicy.Max,
            "Min" => SelectPolicy.Min,
            "Disabled" => SelectPolicy.Disabled,
            var other => throw new ScaledObjectException($"{context.Source}: {path}.selectPolicy: '{other}' is not Max, Min or Disabled"),
        };

        var policies = defaults.Policies;
        if (Child(node, "policies") is YamlSequenceNode list)
        {
            policies = list.Children.Select((p, i) => ReadPolicy(p, $"{path}.policies[{i}]", context)).ToList();
        }

        var tolerance = defaults.Tolerance;
        if (Scalar(node, "tolerance") is { } toleranceText)
        {
            tolerance = ParseQuantity(toleranceText) is { } t and >= 0
                ? t
                : throw new ScaledObjectException($"{context.Source}: {path}.tolerance: '{toleranceText}' is not a non-negative quantity");
        }

        return new HpaScalingRules(window, select, policies, tolerance);
    }

    private static ScalingPolicy ReadPolicy(YamlNode node, string path, Context context)
    {
        if (node is not YamlMappingNode policy)
        {
            throw new ScaledObjectException($"{context.Source}: {path}: expected a mapping with type, value and periodSeconds");
        }

        var type = Scalar(policy, "type") switch
        {
            "Pods" => ScalingPolicyType.Pods,
            "Percent" => ScalingPolicyType.Percent,
            var other => throw new ScaledObjectException($"{context.Source}: {path}.type: '{other}' is not Pods or Percent"),
        };

        // Bounds from the autoscaling/v2 validation: value > 0, 0 < periodSeconds <= 1800.
        var value = context.Int(policy, "value", null, min: 1, path: path);
        var period = context.Int(policy, "periodSeconds", null, min: 1, max: 1800, path: path);
        return new ScalingPolicy(type, value, period);
    }

    /// <summary>A Kubernetes quantity as used for tolerance: a decimal, optionally with the milli suffix ("50m" = 0.05).</summary>
    private static double? ParseQuantity(string text)
    {
        var milli = text.EndsWith('m');
        var number = milli ? text[..^1] : text;
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? (milli ? value / 1000 : value)
            : null;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) =>
        Child(node, key) is YamlScalarNode { Value: { } value } ? value : null;

    private sealed class Context(string source)
    {
        public string Source => source;

        public int Int(YamlMappingNode node, string key, int? fallback, int min, int max = int.MaxValue, string path = "spec")
        {
            var field = $"{source}: {path}.{key}";
            if (Child(node, key) is not { } child)
            {
                return fallback ?? throw new ScaledObjectException($"{field} is required");
            }

            if (child is not YamlScalarNode { Value: { } text }
                || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw new ScaledObjectException($"{field}: expected an integer");
            }

            if (value < min || value > max)
            {
                throw new ScaledObjectException(max == int.MaxValue
                    ? $"{field}: {value} must be >= {min}"
                    : $"{field}: {value} must be between {min} and {max}");
            }

            return value;
        }
    }
}
