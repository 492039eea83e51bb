namespace Pipeline.Blocks.Alerts.Internal;

internal enum ConditionOperator
{
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}
