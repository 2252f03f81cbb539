using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace ConformanceGenerator;

/// <summary>
/// Rewrites a shape's body into its twin: every statement becomes
/// <c>var m = TwinTruth.Begin(charged); statement; charged = TwinTruth.End(m, charged, line);</c>,
/// keyed by the line the statement starts on in the shape's own source. An expression whose code the
/// compiler moves to a method of its own (a lambda body, a query clause) is wrapped in place:
/// <c>TwinTruth.Whole(TwinTruth.Begin(...), expression, line)</c>.
/// </summary>
/// <remarks>
/// The profiler charges an allocation to the one line each frame of the method was executing, so
/// within one body a line is exclusive (a loop's line keeps what its header did, not its body's
/// statements) while across bodies it is inclusive (the line that calls a lambda or local function
/// includes what it allocated, as the lambda's own lines do). So each body keeps its own
/// <c>__charged</c>, what the statements measured so far charged, for the statement around them to
/// take out; a nested body's is its own. And as the profiler charges an allocation once to each
/// distinct line, a span is not charged when its line is still running in an outer body (a lambda
/// on the line that runs it, a recursive call). A statement that awaits is not measured: the thread's
/// counter cannot follow it across threads, so its line is listed as unchecked.
/// </remarks>
internal sealed class TwinRewriter(SemanticModel model, CancellationToken cancellation) : CSharpSyntaxRewriter
{
    private const string Truth = "global::ConformanceTarget.TwinTruth";
    private static readonly SymbolDisplayFormat Qualified = SymbolDisplayFormat.FullyQualifiedFormat;

    private readonly SortedSet<int> _unchecked = new();
    private int _nextMark;

    public IEnumerable<int> UncheckedLines => _unchecked;

    public bool HasAwait { get; private set; }

    private const string Charged = "__charged";
    private const string BodyId = "__body";

    public override SyntaxNode? VisitBlock(BlockSyntax node)
    {
        var statements = node.Statements.SelectMany(Measured);
        if (DeclaresCapturedLocals(node))
        {
            // The compiler creates the scope's closure object as the block is entered, before any
            // statement; the profiler sees it at the block's first statement.
            var first = Line(node.Statements[0]);
            statements = new[] { ParseStatement($"{Charged} = {Truth}.Entry({Charged}, {BodyId}, {first});") }.Concat(statements);
        }

        if (node.Parent is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax)
        {
            statements = BodyStart().Concat(statements);
        }

        return node.WithStatements(List(statements));
    }

    private bool DeclaresCapturedLocals(BlockSyntax block)
    {
        if (block.Statements.Count == 0)
        {
            return false;
        }

        var declared = block.Statements.OfType<LocalDeclarationStatementSyntax>()
            .SelectMany(d => d.Declaration.Variables)
            .Select(v => model.GetDeclaredSymbol(v, cancellation))
            .Where(symbol => symbol is not null)
            .ToList();
        if (declared.Count == 0)
        {
            return false;
        }

        var flow = model.AnalyzeDataFlow(block.Statements.First(), block.Statements.Last());
        return flow is { Succeeded: true } && flow.Captured.Any(captured => declared.Contains(captured, SymbolEqualityComparer.Default));
    }

    public override SyntaxNode? VisitSwitchSection(SwitchSectionSyntax node)
        => ((SwitchSectionSyntax)base.VisitSwitchSection(node)!).WithStatements(List(node.Statements.SelectMany(Measured)));

    public override SyntaxNode? VisitIfStatement(IfStatementSyntax node)
        => ((IfStatementSyntax)base.VisitIfStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitElseClause(ElseClauseSyntax node)
        => ((ElseClauseSyntax)base.VisitElseClause(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
        => ((ForStatementSyntax)base.VisitForStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
        => ((ForEachStatementSyntax)base.VisitForEachStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node)
        => ((ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
        => ((WhileStatementSyntax)base.VisitWhileStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
        => ((DoStatementSyntax)base.VisitDoStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitUsingStatement(UsingStatementSyntax node)
        => ((UsingStatementSyntax)base.VisitUsingStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitLockStatement(LockStatementSyntax node)
        => ((LockStatementSyntax)base.VisitLockStatement(node)!).WithStatement(Embedded(node.Statement));

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
    {
        var visited = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
        return node.ExpressionBody is null ? visited : WithMeasuredBody(node, visited, node.ExpressionBody, visited.ExpressionBody!);
    }

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
    {
        var visited = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
        return node.ExpressionBody is null ? visited : WithMeasuredBody(node, visited, node.ExpressionBody, visited.ExpressionBody!);
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        // Never inlined: the JIT evaluates an inlined call's statements before the allocation of a `new` whose
        // argument the call is (`new Stop(index, address, Distance(index))` allocates the Stop first, then calls
        // Distance), so an inlined twin would charge the caller's object to the local function's line.
        var visited = ((LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!).AddAttributeLists(NoInlining);
        if (node.ExpressionBody is null)
        {
            return visited;
        }

        var line = Line(node.ExpressionBody.Expression);
        if (node.Modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            _unchecked.Add(line);
            return visited;
        }

        var expression = visited.ExpressionBody!.Expression;
        if (model.GetDeclaredSymbol(node, cancellation) is IMethodSymbol { ReturnsVoid: true })
        {
            return visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(Block(MeasuredBody(ExpressionStatement(expression), line)));
        }

        return visited.WithExpressionBody(visited.ExpressionBody.WithExpression(Wrap(node.ExpressionBody.Expression, expression, line)));
    }

    private static readonly AttributeListSyntax NoInlining = AttributeList(SingletonSeparatedList(Attribute(
        ParseName("global::System.Runtime.CompilerServices.MethodImpl"),
        ParseAttributeArgumentList("(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)"))));

    // A switch expression's arm on its own line has its own sequence point: the line is the arm's.
    public override SyntaxNode? VisitSwitchExpressionArm(SwitchExpressionArmSyntax node)
    {
        var visited = (SwitchExpressionArmSyntax)base.VisitSwitchExpressionArm(node)!;
        var statement = node.Ancestors().OfType<StatementSyntax>().FirstOrDefault();
        if (statement is null || Line(statement) == Line(node.Expression) || node.Ancestors().TakeWhile(a => a != statement).Any(a => a is AnonymousFunctionExpressionSyntax))
        {
            return visited;
        }

        var line = Line(node.Expression);
        var call = (InvocationExpressionSyntax)ParseExpression($"{Truth}.Part{TypeArgument(node.Expression, inferType: false)}({Truth}.Begin({Charged}, {BodyId}, {line}), default, {BodyId}, {line})");
        return visited.WithExpression(call.WithArgumentList(call.ArgumentList.WithArguments(
            call.ArgumentList.Arguments.Replace(call.ArgumentList.Arguments[1], Argument(visited.Expression.WithoutTrivia())))));
    }

    // Query clauses after the first compile to lambdas whose sequence point is the clause's own line.
    public override SyntaxNode? VisitSelectClause(SelectClauseSyntax node)
    {
        var visited = (SelectClauseSyntax)base.VisitSelectClause(node)!;
        return visited.WithExpression(Wrap(node.Expression, visited.Expression, Line(node.Expression), inferType: true));
    }

    public override SyntaxNode? VisitWhereClause(WhereClauseSyntax node)
    {
        var visited = (WhereClauseSyntax)base.VisitWhereClause(node)!;
        return visited.WithCondition(Wrap(node.Condition, visited.Condition, Line(node.Condition), inferType: true));
    }

    public override SyntaxNode? VisitLetClause(LetClauseSyntax node)
    {
        var visited = (LetClauseSyntax)base.VisitLetClause(node)!;
        return visited.WithExpression(Wrap(node.Expression, visited.Expression, Line(node.Expression), inferType: true));
    }

    public override SyntaxNode? VisitFromClause(FromClauseSyntax node)
    {
        var visited = (FromClauseSyntax)base.VisitFromClause(node)!;
        var first = node.Parent is QueryExpressionSyntax query && query.FromClause == node;
        return !first ? visited.WithExpression(Wrap(node.Expression, visited.Expression, Line(node.Expression), inferType: true)) : visited;
    }

    private AnonymousFunctionExpressionSyntax WithMeasuredBody(AnonymousFunctionExpressionSyntax original, AnonymousFunctionExpressionSyntax visited, ExpressionSyntax body, ExpressionSyntax visitedBody)
    {
        var line = Line(body);
        if (original.AsyncKeyword != default)
        {
            _unchecked.Add(line);
            return visited;
        }

        if (model.GetSymbolInfo(original, cancellation).Symbol is IMethodSymbol { ReturnsVoid: true })
        {
            return visited.WithExpressionBody(null).WithBlock(Block(MeasuredBody(ExpressionStatement(visitedBody), line)));
        }

        return visited.WithExpressionBody(Wrap(body, visitedBody, line));
    }

    private StatementSyntax Embedded(StatementSyntax original)
        => original is BlockSyntax ? (StatementSyntax)Visit(original)! : Block(Measured(original));

    private IEnumerable<StatementSyntax> Measured(StatementSyntax original)
    {
        var visited = (StatementSyntax)Visit(original)!;
        switch (original)
        {
            case LocalFunctionStatementSyntax or BlockSyntax or EmptyStatementSyntax or BreakStatementSyntax
                or ContinueStatementSyntax or GotoStatementSyntax or LabeledStatementSyntax:
            case ReturnStatementSyntax { Expression: null }:
            case YieldStatementSyntax { Expression: null }:
                return [visited];
        }

        var line = Line(original);
        if (Awaits(original))
        {
            HasAwait = true;
            _unchecked.Add(line);
            return [visited];
        }

        if (original is not YieldStatementSyntax && Yields(original))
        {
            // A loop (or block statement) of an iterator that yields inside: measured whole, it would count what the
            // consumer allocated while the iterator was suspended. Its inner statements are measured on their own.
            _unchecked.Add(line);
            return [visited];
        }

        switch (original)
        {
            case ReturnStatementSyntax returned:
                return [((ReturnStatementSyntax)visited).WithExpression(Wrap(returned.Expression!, ((ReturnStatementSyntax)visited).Expression!, line, ownBody: false))];
            case YieldStatementSyntax yielded:
            {
                // The body goes on after a yield, so what the line charged must reach __charged.
                var mark = NextMark();
                var value = "__yielded" + _nextMark;
                var type = TypeArgument(yielded.Expression!, inferType: false);
                var declaration = (LocalDeclarationStatementSyntax)ParseStatement($"{(type.Length == 0 ? "var" : type.Substring(1, type.Length - 2))} {value} = default;");
                declaration = declaration.WithDeclaration(declaration.Declaration.WithVariables(SingletonSeparatedList(
                    declaration.Declaration.Variables[0].WithInitializer(EqualsValueClause(((YieldStatementSyntax)visited).Expression!.WithoutTrivia())))));
                return
                [
                    ParseStatement($"var {mark} = {Truth}.Begin({Charged}, {BodyId}, {line});"),
                    declaration,
                    ParseStatement($"{Charged} = {Truth}.End({mark}, {Charged}, {BodyId}, {line});"),
                    ((YieldStatementSyntax)visited).WithExpression(IdentifierName(value)),
                ];
            }

            case ThrowStatementSyntax:
            {
                // The end is read in a finally: the first pass of the throw (the stack trace it
                // captures) is the line's; whatever catches it runs after.
                var mark = NextMark();
                return
                [
                    ParseStatement($"var {mark} = {Truth}.Begin({Charged}, {BodyId}, {line});"),
                    TryStatement(Block(visited), default, FinallyClause(Block(ParseStatement($"{Charged} = {Truth}.End({mark}, {Charged}, {BodyId}, {line});")))),
                ];
            }

            case ExpressionStatementSyntax when InsideTryBlock(original):
            {
                // It may throw to a catch of this body: what the throw allocated (the stack trace,
                // captured before any handler runs) is still this line's.
                var mark = NextMark();
                return
                [
                    ParseStatement($"var {mark} = {Truth}.Begin({Charged}, {BodyId}, {line});"),
                    TryStatement(Block(visited), default, FinallyClause(Block(ParseStatement($"{Charged} = {Truth}.End({mark}, {Charged}, {BodyId}, {line});")))),
                ];
            }

            default:
                return MeasuredStatement(visited, line);
        }
    }

    private static bool InsideTryBlock(StatementSyntax statement)
    {
        foreach (var ancestor in statement.Ancestors())
        {
            if (ancestor is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                return false;
            }

            if (ancestor is BlockSyntax block && block.Parent is TryStatementSyntax tryStatement && tryStatement.Block == block)
            {
                return true;
            }
        }

        return false;
    }

    // A block body made of one statement (an expression body that returns nothing).
    private IEnumerable<StatementSyntax> MeasuredBody(StatementSyntax statement, int line)
        => BodyStart().Concat(MeasuredStatement(statement, line));

    // Each run of a body (method, lambda, local function) has its own charged amount and identity.
    private static IEnumerable<StatementSyntax> BodyStart()
        => [ParseStatement($"long {Charged} = 0;"), ParseStatement($"var {BodyId} = {Truth}.Body();")];

    private StatementSyntax[] MeasuredStatement(StatementSyntax statement, int line)
    {
        var mark = NextMark();
        return
        [
            ParseStatement($"var {mark} = {Truth}.Begin({Charged}, {BodyId}, {line});"),
            statement,
            ParseStatement($"{Charged} = {Truth}.End({mark}, {Charged}, {BodyId}, {line});"),
        ];
    }

    // TwinTruth.Whole<T>(TwinTruth.Begin(), expression, line): arguments run left to right, so the
    // expression runs between the two reads of the counter and its value passes through. Nothing of
    // the same body runs inside an expression, so the whole span is the line's.
    // An expression body (lambda, local function, query clause) is a body of its own; a returned
    // expression belongs to the body around it.
    private InvocationExpressionSyntax Wrap(ExpressionSyntax original, ExpressionSyntax visited, int line, bool inferType = false, bool ownBody = true)
    {
        var body = ownBody ? "0" : BodyId;
        var call = (InvocationExpressionSyntax)ParseExpression($"{Truth}.Whole{TypeArgument(original, inferType)}({Truth}.Begin({(ownBody ? "0" : Charged)}, {body}, {line}), default, {body}, {line})");
        return call.WithArgumentList(call.ArgumentList.WithArguments(call.ArgumentList.Arguments.Replace(call.ArgumentList.Arguments[1], Argument(visited.WithoutTrivia()))));
    }

    // "<T>" for the type the expression converts to, or "" where the compiler must infer it (anonymous types).
    private string TypeArgument(ExpressionSyntax original, bool inferType)
    {
        var info = model.GetTypeInfo(original, cancellation);
        var type = inferType ? info.Type : info.ConvertedType ?? info.Type;
        return type is null || type is IErrorTypeSymbol || ContainsAnonymous(type) ? "" : "<" + type.ToDisplayString(Qualified) + ">";
    }

    private static bool ContainsAnonymous(ITypeSymbol type)
        => type.IsAnonymousType || (type is INamedTypeSymbol named && named.TypeArguments.Any(ContainsAnonymous)) || (type is IArrayTypeSymbol array && ContainsAnonymous(array.ElementType));

    private string NextMark() => "__mark" + _nextMark++;

    private static bool Yields(StatementSyntax statement)
        => statement.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<YieldStatementSyntax>().Any();

    private static bool Awaits(StatementSyntax statement)
        => statement.DescendantNodesAndSelf(n => n == statement || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(n => n switch
            {
                AwaitExpressionSyntax => true,
                CommonForEachStatementSyntax loop => loop.AwaitKeyword != default,
                UsingStatementSyntax usingStatement => usingStatement.AwaitKeyword != default,
                LocalDeclarationStatementSyntax declaration => declaration.AwaitKeyword != default,
                _ => false,
            });

    private static int Line(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
}
